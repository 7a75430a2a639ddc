using System.Collections.Concurrent;
using ChatBridge.Access;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Rate-limit windows in <c>bridge_rate_counters</c>: a permit is one upsert, one round trip, whose row lock orders
/// the instances taking from one window at once.
/// </summary>
internal sealed class PostgresRateCounterStore(IDatabase db) : IRateCounterStore
{
    // A full window keeps its row as it is (no new row version per refused request) and returns no row.
    private const string Take = """
        INSERT INTO bridge_rate_counters AS c (policy, client, window_start, count) VALUES (@policy, @client, @windowStart, 1)
        ON CONFLICT (policy, client, window_start) DO UPDATE SET count = c.count + 1 WHERE c.count < @limit
        RETURNING count
        """;

    // The take, after every window of the policy before this one goes: still one statement, as a batch takes them.
    private const string SweepThenTake = $"""
        WITH swept AS (DELETE FROM bridge_rate_counters WHERE policy = @policy AND window_start < @windowStart)
        {Take}
        """;

    private const string Count = """
        SELECT count FROM bridge_rate_counters WHERE policy = @policy AND client = @client AND window_start = @windowStart
        """;

    /// <summary>The window each policy was last swept in by this instance: old windows go once per window, not per request.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _swept = new(StringComparer.Ordinal);

    public async Task<bool> TryTakeAsync(string policy, string client, RateWindow window, int limit, CancellationToken ct)
    {
        var sweep = !_swept.TryGetValue(policy, out var swept) || swept != window.Start;
        var count = (await db.WriteStatementAsync(sql => sql.ScalarAsync<long?>(sweep ? SweepThenTake : Take,
            P("@policy", policy), P("@client", client), P("@windowStart", window.Start), P("@limit", limit)), ct)).Value;
        if (sweep)
        {
            _swept[policy] = window.Start;
        }
        return count is not null;
    }

    public async Task<bool> HasPermitAsync(string policy, string client, RateWindow window, int limit, CancellationToken ct)
    {
        var count = await db.ReadAsync(sql => sql.ScalarAsync<long?>(Count,
            P("@policy", policy), P("@client", client), P("@windowStart", window.Start)), ct);
        return (count ?? 0) < limit;
    }
}
