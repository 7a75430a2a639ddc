using ChatBridge.Data;
using ChatBridge.Http;
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

    public SqliteConnection Connection => connection;

    /// <summary>The kept command for <paramref name="sql"/>, in <paramref name="transaction"/>, with these values bound.</summary>
    public SqliteCommand Get(string sql, SqliteTransaction? transaction, ReadOnlySpan<SqlParam> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        command.Transaction = transaction;
        foreach (var (name, value, _) in parameters)
        {
            var bound = value switch
            {
                null => DBNull.Value,
                // Points in time are stored in the contract's text form, which sorts as it reads.
                DateTimeOffset time => Timestamps.Format(time),
                ControlAppTime time => time.Text,
                bool flag => flag ? 1L : 0L,
                _ => value,
            };
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
