using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// One connection's commands kept per SQL text. Microsoft.Data.Sqlite prepares a statement again every time a new
/// command runs it, which on the hot paths cost more than executing it; a kept command stays prepared for the life of
/// the connection. Only for fixed SQL: every distinct text is kept until the connection closes.
/// </summary>
internal sealed class KeptStatements(SqliteConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The kept command for <paramref name="sql"/>, in <paramref name="transaction"/>, with these values bound.</summary>
    public SqliteCommand Get(string sql, SqliteTransaction? transaction, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        command.Transaction = transaction;
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

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }
    }
}
