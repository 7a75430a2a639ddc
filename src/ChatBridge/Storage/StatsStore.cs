using System.Text.Json;
using ChatBridge.Data;
using ChatBridge.Stats;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// The dashboard's figures. Any request (or instance) may keep a closed day; when two count the same day at once, the
/// second one's rows are dropped by <c>ON CONFLICT DO NOTHING</c>, and both counted the same.
/// </summary>
internal sealed class StatsStore(IDatabase db, ISqlDialect dialect) : IStatsStore
{
    private readonly string _hourly = StatsSql.HourlyActivity(dialect);
    private readonly string _answerTimes = StatsSql.AnswerTimes(dialect);
    private readonly string _openAnswers = StatsSql.OpenAnswers(dialect);
    private readonly string _sessionAgents = StatsSql.SessionAgents(dialect);

    public Task<IReadOnlyList<DayFigures>> ReadClosedDaysAsync(string fromDay, string toDay, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<DayFigures>>(async sql =>
            await sql.QueryAsync<DayFigures>(StatsSql.ClosedDays, P("@fromDay", fromDay), P("@toDay", toDay)), ct);

    public Task<DayCounts> CountDaysAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        db.ReadSnapshotAsync(sql => CountDaysAsync(sql, from, to), ct);

    /// <summary>
    /// Committed is enough: a day lost to a power cut is counted again by the next request. The counting was done
    /// before, on a reader, so the write only inserts a few rows.
    /// </summary>
    public Task KeepClosedDaysAsync(IReadOnlyList<DayFigures> figures, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            foreach (var day in figures)
            {
                await sql.ExecuteAsync(StatsSql.KeepClosedDay,
                    P("@Day", day.Day), P("@AgentId", day.AgentId), P("@Messages", day.Messages), P("@Replies", day.Replies),
                    P("@Answered", day.Answered), P("@P50Seconds", day.P50Seconds), P("@P95Seconds", day.P95Seconds));
            }
            return figures.Count;
        }, ct, Durability.Committed);

    /// <summary>Reads the window's ratings through <c>idx_chatbridge_feedback_rated</c>.</summary>
    public Task<IReadOnlyList<DailySatisfaction>> SatisfactionAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<DailySatisfaction>>(async sql => await sql.QueryAsync<DailySatisfaction>($"""
            SELECT {dialect.DayOf("f.rated_at")} AS day, s.agent_id,
                   SUM(CASE WHEN f.rating = 'up' THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN f.rating = 'down' THEN 1 ELSE 0 END) AS down
            FROM chatbridge_feedback f JOIN web_chat_sessions s ON s.session_id = f.session_id
            WHERE f.rated_at >= @from AND f.rated_at < @to
            GROUP BY {dialect.DayOf("f.rated_at")}, s.agent_id
            ORDER BY 1, 2
            """, P("@from", from), P("@to", to)), ct);

    public Task<LiveCounts> ReadLiveAsync(
        DateTimeOffset hourlyFrom, DateTimeOffset liveFrom, DateTimeOffset to, IReadOnlyDictionary<DateTimeOffset, DateTimeOffset> answersSince,
        CancellationToken ct) =>
        db.ReadSnapshotAsync(async sql =>
        {
            var hourly = await sql.QueryAsync<ActivityCount>(_hourly, P("@from", hourlyFrom), P("@to", to));
            List<ActivityCount> daily = [];
            List<OpenDayRead> openDays = [];
            for (var day = liveFrom; day < to; day = day.AddDays(1))
            {
                if (await ActivityAsync(sql, day) is { } activity)
                {
                    daily.Add(activity);
                }
                openDays.Add(await ReadOpenDayAsync(sql, day, answersSince.TryGetValue(day, out var since) ? since : null));
            }
            var backlog = (await sql.FirstOrDefaultAsync<BacklogCount>(StatsSql.Backlog))!;
            var attachments = (await sql.FirstOrDefaultAsync<AttachmentStorage>(AttachmentSql.Totals))!;
            return new LiveCounts(hourly, daily, openDays, backlog, attachments);
        }, ct);

    /// <summary>In one snapshot, so that every answer read finds its session's agent.</summary>
    public Task<OpenDayRead> ReadOpenDayAsync(DateTimeOffset start, CancellationToken ct) =>
        db.ReadSnapshotAsync(sql => ReadOpenDayAsync(sql, start, since: null), ct);

    /// <summary>
    /// The day's answers from <paramref name="since"/> (all of them when null), each with its session's agent, and the
    /// count of all of them, which the partial index of answered messages gives without reading a row.
    /// </summary>
    private async Task<OpenDayRead> ReadOpenDayAsync(ISqlSession sql, DateTimeOffset start, DateTimeOffset? since)
    {
        var end = start.AddDays(1);
        var answers = await sql.QueryAsync<OpenWait>(_openAnswers, P("@from", since > start ? since.Value : start), P("@to", end));
        var agents = await AgentsAsync(sql, answers.Select(answer => answer.SessionId));
        var answered = since is null ? answers.Count : await sql.ScalarAsync<long>(StatsSql.AnsweredCount, P("@from", start), P("@to", end));
        return new OpenDayRead(start, answered, since, answers.ConvertAll(answer => new OpenAnswer
        {
            Id = answer.Id, AnsweredAt = answer.AnsweredAt, AgentId = agents.GetValueOrDefault(answer.SessionId), Seconds = answer.Seconds,
        }));
    }

    /// <summary>Day by day, so that one day's answers are all that is held at once, however long the range.</summary>
    private async Task<DayCounts> CountDaysAsync(ISqlSession sql, DateTimeOffset from, DateTimeOffset to)
    {
        List<ActivityCount> activity = [];
        List<LatencyCount> latency = [];
        for (var day = from; day < to; day = day.AddDays(1))
        {
            if (await ActivityAsync(sql, day) is { } counted)
            {
                activity.Add(counted);
            }
            var answers = await sql.QueryAsync<SessionWait>(_answerTimes, P("@from", day), P("@to", day.AddDays(1)));
            var agents = await AgentsAsync(sql, answers.Select(answer => answer.SessionId));
            latency.AddRange(LatencyPercentiles.Count(StatsRollup.DayKey(day),
                answers.ConvertAll(answer => new AnswerTime { AgentId = agents.GetValueOrDefault(answer.SessionId), Seconds = answer.Seconds })));
        }
        return new DayCounts(activity, latency);
    }

    /// <summary>The day's messages and replies, or null when it has neither.</summary>
    private static async Task<ActivityCount?> ActivityAsync(ISqlSession sql, DateTimeOffset day) =>
        await sql.FirstOrDefaultAsync<DayTotals>(StatsSql.DayActivity, P("@from", day), P("@to", day.AddDays(1))) is { } totals
            && (totals.Messages > 0 || totals.Replies > 0)
            ? new ActivityCount { Bucket = StatsRollup.DayKey(day), Messages = totals.Messages, Replies = totals.Replies }
            : null;

    /// <summary>The agent of each of the sessions, read once per session.</summary>
    private async Task<Dictionary<string, long?>> AgentsAsync(ISqlSession sql, IEnumerable<string> sessionIds)
    {
        var agents = new Dictionary<string, long?>(StringComparer.Ordinal);
        var ids = sessionIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return agents;
        }
        foreach (var session in await sql.QueryAsync<SessionAgent>(_sessionAgents, P("@sessionIds", JsonSerializer.Serialize(ids))))
        {
            agents.TryAdd(session.SessionId, session.AgentId);
        }
        return agents;
    }

    private record SessionWait
    {
        public string SessionId { get; init; } = "";

        public double Seconds { get; init; }
    }

    private sealed record OpenWait : SessionWait
    {
        public long Id { get; init; }

        public DateTimeOffset AnsweredAt { get; init; }
    }

    private sealed record SessionAgent
    {
        public string SessionId { get; init; } = "";

        public long? AgentId { get; init; }
    }

    private sealed record DayTotals
    {
        public long Messages { get; init; }

        public long Replies { get; init; }
    }
}
