using Dapper;

namespace ChatBridge.Data.Sqlite;

/// <summary>
/// The dashboard's figures from SQLite. Each query reads a range of an index (step 008) rather than the tables, so its
/// cost follows the rows in the window, not the table's size: a million messages cost what the last 30 days hold.
/// </summary>
internal sealed class SqliteStatsStore(Db db) : IStatsStore
{
    /// <summary>
    /// Seconds from <c>asked</c> to <c>replied</c>, both stored timestamps. The one SQLite-only expression here:
    /// PostgreSQL reads it as <c>EXTRACT(EPOCH FROM replied::timestamptz - asked::timestamptz)</c>.
    /// </summary>
    private const string SecondsToReply = "(julianday(replied) - julianday(asked)) * 86400.0";

    /// <summary>Length of the prefix of a stored timestamp that names its hour (<c>2026-11-24T10</c>) or its day (<c>2026-11-24</c>).</summary>
    private const int HourPrefix = 13;
    private const int DayPrefix = 10;

    /// <summary>Messages and replies per bucket, each table counted on its own timestamp index.</summary>
    private const string ActivityQuery = """
        SELECT bucket AS Bucket, SUM(messages) AS Messages, SUM(replies) AS Replies
        FROM (
            SELECT substr(timestamp, 1, @prefix) AS bucket, COUNT(*) AS messages, 0 AS replies
            FROM web_chat_messages WHERE timestamp >= @from GROUP BY substr(timestamp, 1, @prefix)
            UNION ALL
            SELECT substr(timestamp, 1, @prefix), 0, COUNT(*)
            FROM web_chat_responses WHERE timestamp >= @from GROUP BY substr(timestamp, 1, @prefix)
        ) counted
        GROUP BY bucket
        ORDER BY bucket
        """;

    /// <summary>
    /// p50 and p95 of the time to the first reply, per day a message was sent, over all answered messages and per
    /// agent. A message's first reply is one index seek (<c>idx_web_chat_responses_message</c>), its agent one more
    /// (<c>idx_web_chat_sessions_agent</c>); the named windows let the ranks and counts share two sorts. The nearest rank of
    /// percentile p among n values is ceil(p·n/100), written in integers so no rounding function is needed.
    /// </summary>
    private const string LatencyQuery = $"""
        WITH asked AS (
            SELECT substr(m.timestamp, 1, @prefix) AS day, s.agent_id, m.timestamp AS asked,
                   (SELECT MIN(r.timestamp) FROM web_chat_responses r WHERE r.message_id = m.id) AS replied
            FROM web_chat_messages m
            LEFT JOIN web_chat_sessions s ON s.session_id = m.session_id
            WHERE m.timestamp >= @from
        ),
        ranked AS (
            SELECT day, agent_id, {SecondsToReply} AS seconds,
                   ROW_NUMBER() OVER by_day AS day_rank, COUNT(*) OVER (PARTITION BY day) AS day_count,
                   ROW_NUMBER() OVER by_agent AS agent_rank, COUNT(*) OVER (PARTITION BY day, agent_id) AS agent_count
            FROM asked
            WHERE replied IS NOT NULL
            WINDOW by_day AS (PARTITION BY day ORDER BY {SecondsToReply}),
                   by_agent AS (PARTITION BY day, agent_id ORDER BY {SecondsToReply})
        )
        SELECT day AS Day, NULL AS AgentId, day_count AS Answered,
               MAX(CASE WHEN day_rank = (day_count * 50 + 99) / 100 THEN seconds END) AS P50Seconds,
               MAX(CASE WHEN day_rank = (day_count * 95 + 99) / 100 THEN seconds END) AS P95Seconds
        FROM ranked
        GROUP BY day, day_count
        UNION ALL
        SELECT day, agent_id, agent_count,
               MAX(CASE WHEN agent_rank = (agent_count * 50 + 99) / 100 THEN seconds END),
               MAX(CASE WHEN agent_rank = (agent_count * 95 + 99) / 100 THEN seconds END)
        FROM ranked
        WHERE agent_id IS NOT NULL
        GROUP BY day, agent_id, agent_count
        ORDER BY 2, 1
        """;

    /// <summary>Both read the partial index of unanswered messages, however large the table.</summary>
    private const string BacklogQuery = """
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE answered_at IS NULL) AS Waiting,
            (SELECT timestamp FROM web_chat_messages WHERE answered_at IS NULL ORDER BY id LIMIT 1) AS OldestTimestamp
        """;

    public async Task<StatsRows> ReadAsync(StatsWindow window, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var hourly = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            ActivityQuery, new { prefix = HourPrefix, from = window.HourlyFrom }, tx, cancellationToken: ct));
        var daily = await connection.QueryAsync<ActivityCount>(new CommandDefinition(
            ActivityQuery, new { prefix = DayPrefix, from = window.DailyFrom }, tx, cancellationToken: ct));
        var latency = await connection.QueryAsync<LatencyCount>(new CommandDefinition(
            LatencyQuery, new { prefix = DayPrefix, from = window.DailyFrom }, tx, cancellationToken: ct));
        var backlog = await connection.QuerySingleAsync<BacklogCount>(new CommandDefinition(BacklogQuery, transaction: tx, cancellationToken: ct));
        return new StatsRows(hourly.AsList(), daily.AsList(), latency.AsList(), backlog);
    }
}
