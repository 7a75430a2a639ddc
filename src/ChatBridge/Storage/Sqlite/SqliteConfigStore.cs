using ChatBridge.Settings;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

internal sealed class SqliteConfigStore(Db db, WriteQueue writes) : IConfigStore
{
    public async Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Key, string? Value)>(new CommandDefinition(
            ChatSql.ReadConfig, new { keys = keys.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Key, r => r.Value);
    }

    public Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            foreach (var (key, value) in values)
            {
                // Update-then-insert works whether or not an older control schema declared config_key UNIQUE.
                if (writer.Connection.Execute(ChatSql.UpdateConfig, new { key, value }, writer.Transaction) == 0)
                {
                    writer.Connection.Execute(ChatSql.InsertConfig, new { key, value }, writer.Transaction);
                }
            }
            return values.Count;
        }, ct);
}
