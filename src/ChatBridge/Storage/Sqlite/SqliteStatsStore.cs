using System.Data.Common;
using ChatBridge.Stats;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>The dashboard's figures from SQLite; closed days are kept by the single writer.</summary>
internal sealed class SqliteStatsStore(Db db, WriteQueue writes) : IStatsStore
{
    private static readonly string LatencyQuery = StatsSql.Latency("(julianday(m.answered_at) - julianday(m.timestamp)) * 86400.0");

    public async Task<IReadOnlyList<DayFigures>> ReadClosedDaysAsync(string fromDay, string toDay, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<DayFigures>(new CommandDefinition(
            StatsSql.ClosedDays, new { fromDay, toDay }, cancellationToken: ct))).AsList();
    }

    public async Task<DayCounts> CountDaysAsync(string from, string to, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        return await CountDaysAsync(connection, tx, from, to, ct);
    }

    /// <summary>
    /// Committed is enough: a day lost to a power cut is counted again by the next request. The counting was done
    /// before, on a reader, so the writer only inserts a few rows.
    /// </summary>
    public Task KeepClosedDaysAsync(IReadOnlyList<DayFigures> figures, CancellationToken ct) =>
        writes.RunAsync(writer => writer.Connection.Execute(StatsSql.KeepClosedDay, figures, writer.Transaction), ct, Durability.Committed);

    public async Task<LiveCounts> ReadLiveAsync(string hourlyFrom, string liveFrom, string to, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var hourly = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            StatsSql.Activity, new { prefix = StatsSql.HourPrefix, from = hourlyFrom, to }, tx, cancellationToken: ct));
        var days = await CountDaysAsync(connection, tx, liveFrom, to, ct);
        var backlog = await connection.QuerySingleAsync<BacklogCount>(new CommandDefinition(StatsSql.Backlog, transaction: tx, cancellationToken: ct));
        return new LiveCounts(hourly.AsList(), days, backlog);
    }

    private static async Task<DayCounts> CountDaysAsync(DbConnection connection, DbTransaction tx, string from, string to, CancellationToken ct)
    {
        var activity = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            StatsSql.Activity, new { prefix = StatsSql.DayPrefix, from, to }, tx, cancellationToken: ct));
        var latency = await connection.QueryAsync<LatencyCount>(new CommandDefinition(
            LatencyQuery, new { from, to }, tx, cancellationToken: ct));
        return new DayCounts(activity.AsList(), latency.AsList());
    }
}
