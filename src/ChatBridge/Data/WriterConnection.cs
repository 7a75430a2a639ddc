using Microsoft.Data.Sqlite;

namespace ChatBridge.Data;

/// <summary>
/// The single writer's connection, handed to each write inside the group transaction being built. It keeps
/// the commands of the hot statements: Microsoft.Data.Sqlite prepares a statement again every time a new
/// command runs it, which cost the writer more than executing it. A kept command stays prepared for the life
/// of the connection.
/// </summary>
internal sealed class WriterConnection(SqliteConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The group transaction every statement must join.</summary>
    public SqliteTransaction Transaction { get; private set; } = null!;

    /// <summary>
    /// The kept command for <paramref name="sql"/> (prepared on first use) with these parameter values bound.
    /// Only for fixed SQL on hot paths: every distinct text is kept for as long as the connection lives.
    /// </summary>
    public SqliteCommand Statement(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _statements[sql] = command;
        }
        command.Transaction = Transaction;
        foreach (var (name, value) in parameters)
        {
            var bound = value ?? DBNull.Value;
            var index = command.Parameters.IndexOf(name);
            if (index < 0)
            {
                command.Parameters.AddWithValue(name, bound);
            }
            else
            {
                command.Parameters[index].Value = bound;
            }
        }
        return command;
    }

    public SqliteTransaction Begin() => Transaction = connection.BeginTransaction();

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _statements.Values)
        {
            await command.DisposeAsync();
        }
        await connection.DisposeAsync();
    }
}
