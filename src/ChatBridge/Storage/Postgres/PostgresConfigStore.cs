using ChatBridge.Settings;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

internal sealed class PostgresConfigStore(NpgsqlDataSource db) : IConfigStore
{
    // Dapper hands Npgsql a list as one array parameter rather than expanding it as it does for SQLite's IN.
    // The PostgreSQL schema always declares config_key UNIQUE, so two instances writing one key at once cannot collide.
    private const string Upsert = """
        INSERT INTO system_config (config_key, config_value) VALUES (@key, @value)
        ON CONFLICT (config_key) DO UPDATE SET config_value = EXCLUDED.config_value
        """;

    private const string ReadConfig = "SELECT config_key, config_value FROM system_config WHERE config_key = ANY(@keys)";

    public async Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Key, string? Value)>(new CommandDefinition(
            ReadConfig, new { keys = keys.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Key, r => r.Value);
    }

    public async Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var (key, value) in values)
        {
            await connection.ExecuteAsync(new CommandDefinition(Upsert, new { key, value }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }
}
