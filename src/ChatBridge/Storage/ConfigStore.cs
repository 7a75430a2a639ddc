using System.Collections.Concurrent;
using ChatBridge.Data;
using ChatBridge.Settings;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>Named rows of the control app's <c>system_config</c>; the other rows are never read or changed.</summary>
internal sealed class ConfigStore(IDatabase db) : IConfigStore
{
    /// <summary>One statement per set of keys asked for: the same text every time, so the engine keeps it prepared.</summary>
    private readonly ConcurrentDictionary<string, string> _reads = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var names = keys.ToArray();
        var sql = _reads.GetOrAdd(string.Join('\n', names), _ =>
            $"SELECT config_key, config_value FROM system_config WHERE config_key IN ({string.Join(", ", names.Select((_, i) => $"@k{i}"))})");
        SqlParam[] parameters = [.. names.Select((name, i) => P($"@k{i}", name))];
        return db.ReadAsync<IReadOnlyDictionary<string, string?>>(async read =>
            (await read.QueryAsync<ConfigRow>(sql, parameters)).ToDictionary(r => r.ConfigKey, r => r.ConfigValue), ct);
    }

    /// <summary>All of them or none, durably.</summary>
    public Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            foreach (var (key, value) in values)
            {
                await sql.ExecuteAsync(ChatSql.UpsertConfig, P("@key", key), P("@value", value));
            }
            return values.Count;
        }, ct);

    private sealed record ConfigRow
    {
        public string ConfigKey { get; init; } = "";

        public string? ConfigValue { get; init; }
    }
}
