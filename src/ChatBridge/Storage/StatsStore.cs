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

    public Task<LiveCounts> ReadLiveAsync(DateTimeOffset hourlyFrom, DateTimeOffset liveFrom, DateTimeOffset to, CancellationToken ct) =>
        db.ReadSnapshotAsync(async sql =>
        {
            var hourly = await sql.QueryAsync<ActivityCount>(_hourly, P("@from", hourlyFrom), P("@to", to));
            var days = await CountDaysAsync(sql, liveFrom, to);
            var backlog = (await sql.FirstOrDefaultAsync<BacklogCount>(StatsSql.Backlog))!;
            var attachments = (await sql.FirstOrDefaultAsync<AttachmentStorage>(AttachmentSql.Totals))!;
            return new LiveCounts(hourly, days, backlog, attachments);
        }, ct);

    /// <summary>Day by day, so that one day's answers are all that is held at once, however long the range.</summary>
    private async Task<DayCounts> CountDaysAsync(ISqlSession sql, DateTimeOffset from, DateTimeOffset to)
    {
        List<ActivityCount> activity = [];
        List<LatencyCount> latency = [];
        for (var day = from; day < to; day = day.AddDays(1))
        {
            var key = StatsRollup.DayKey(day);
            var range = new[] { P("@from", day), P("@to", day.AddDays(1)) };
            if (await sql.FirstOrDefaultAsync<DayTotals>(StatsSql.DayActivity, range) is { } totals && (totals.Messages > 0 || totals.Replies > 0))
            {
                activity.Add(new ActivityCount { Bucket = key, Messages = totals.Messages, Replies = totals.Replies });
            }
            latency.AddRange(LatencyPercentiles.Count(key, await WithAgentsAsync(sql, await sql.QueryAsync<SessionWait>(_answerTimes, range))));
        }
        return new DayCounts(activity, latency);
    }

    /// <summary>Each answer with its session's agent, read once for all of the day's sessions.</summary>
    private async Task<List<AnswerTime>> WithAgentsAsync(ISqlSession sql, List<SessionWait> answers)
    {
        if (answers.Count == 0)
        {
            return [];
        }
        var sessionIds = JsonSerializer.Serialize(answers.Select(answer => answer.SessionId).Distinct(StringComparer.Ordinal));
        var agents = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var session in await sql.QueryAsync<SessionAgent>(_sessionAgents, P("@sessionIds", sessionIds)))
        {
            agents.TryAdd(session.SessionId, session.AgentId);
        }
        return answers.ConvertAll(answer => new AnswerTime { AgentId = agents.GetValueOrDefault(answer.SessionId), Seconds = answer.Seconds });
    }

    private sealed record SessionWait
    {
        public string SessionId { get; init; } = "";

        public double Seconds { get; init; }
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
