using System.Data;
using ChatBridge.Stats;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// The dashboard's figures from PostgreSQL. Any instance may keep a closed day; when two count the same day at once,
/// the second one's rows are dropped by <c>ON CONFLICT DO NOTHING</c>, and both counted the same.
/// </summary>
internal sealed class PostgresStatsStore(NpgsqlDataSource db) : IStatsStore
{
    /// <summary>Timestamps are stored as text; as <c>timestamptz</c> their difference is exact to the microsecond.</summary>
    private static readonly string LatencyQuery = StatsSql.Latency(
        "EXTRACT(EPOCH FROM m.answered_at::timestamptz - m.timestamp::timestamptz)::float8");

    public async Task<IReadOnlyList<DayFigures>> ReadClosedDaysAsync(string fromDay, string toDay, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<DayFigures>(new CommandDefinition(
            StatsSql.ClosedDays, new { fromDay, toDay }, cancellationToken: ct))).AsList();
    }

    public async Task<DayCounts> CountDaysAsync(string from, string to, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await SnapshotAsync(connection, ct);
        return await CountDaysAsync(connection, tx, from, to, ct);
    }

    public async Task KeepClosedDaysAsync(IReadOnlyList<DayFigures> figures, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(StatsSql.KeepClosedDay, figures, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<LiveCounts> ReadLiveAsync(string hourlyFrom, string liveFrom, string to, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await SnapshotAsync(connection, ct);
        var hourly = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            StatsSql.Activity, new { prefix = StatsSql.HourPrefix, from = hourlyFrom, to }, tx, cancellationToken: ct));
        var days = await CountDaysAsync(connection, tx, liveFrom, to, ct);
        var backlog = await connection.QuerySingleAsync<BacklogCount>(new CommandDefinition(StatsSql.Backlog, transaction: tx, cancellationToken: ct));
        return new LiveCounts(hourly.AsList(), days, backlog);
    }

    /// <summary>Every query of the transaction sees the same committed rows, as SQLite's read transaction does.</summary>
    private static ValueTask<NpgsqlTransaction> SnapshotAsync(NpgsqlConnection connection, CancellationToken ct) =>
        connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    private static async Task<DayCounts> CountDaysAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string from, string to, CancellationToken ct)
    {
        var activity = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            StatsSql.Activity, new { prefix = StatsSql.DayPrefix, from, to }, tx, cancellationToken: ct));
        var latency = await connection.QueryAsync<LatencyCount>(new CommandDefinition(
            LatencyQuery, new { from, to }, tx, cancellationToken: ct));
        return new DayCounts(activity.AsList(), latency.AsList());
    }
}
