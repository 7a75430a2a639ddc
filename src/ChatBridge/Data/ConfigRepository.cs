using Dapper;

namespace ChatBridge.Data;

/// <summary>Reads and writes named rows of the control app's <c>system_config</c> table.</summary>
internal sealed class ConfigRepository(Db db, WriteQueue writes)
{
    public async Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Key, string? Value)>(new CommandDefinition(
            "SELECT config_key, config_value FROM system_config WHERE config_key IN @keys",
            new { keys = keys.ToArray() },
            cancellationToken: ct));
        return rows.ToDictionary(r => r.Key, r => r.Value);
    }

    /// <summary>Writes all <paramref name="values"/> atomically; other rows are untouched.</summary>
    public Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            foreach (var (key, value) in values)
            {
                // Update-then-insert works whether or not an older control schema declared config_key UNIQUE.
                var updated = writer.Connection.Execute(
                    "UPDATE system_config SET config_value = @value WHERE config_key = @key", new { key, value }, writer.Transaction);
                if (updated == 0)
                {
                    writer.Connection.Execute(
                        "INSERT INTO system_config (config_key, config_value) VALUES (@key, @value)", new { key, value }, writer.Transaction);
                }
            }
            return values.Count;
        }, ct);
}
