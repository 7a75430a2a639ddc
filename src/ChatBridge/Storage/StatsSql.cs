namespace ChatBridge.Storage;

/// <summary>
/// The dashboard's SQL, the same on SQLite and PostgreSQL but for the few expressions each engine writes its own way
/// (an hour or a day of a point in time, the seconds between two). Every query reads a range of an index (schema steps
/// 008 and 009), so its cost follows the rows of its range, not the tables' size.
/// </summary>
internal static class StatsSql
{
    /// <summary>Messages and replies per bucket (<paramref name="bucketOf"/> a point in time), each table counted on its own timestamp index.</summary>
    public static string Activity(Func<string, string> bucketOf) => $"""
        SELECT bucket AS Bucket, CAST(SUM(messages) AS BIGINT) AS Messages, CAST(SUM(replies) AS BIGINT) AS Replies
        FROM (
            SELECT {bucketOf("timestamp")} AS bucket, COUNT(*) AS messages, 0 AS replies
            FROM web_chat_messages WHERE timestamp >= @from AND timestamp < @to GROUP BY 1
            UNION ALL
            SELECT {bucketOf("timestamp")}, 0, COUNT(*)
            FROM web_chat_responses WHERE timestamp >= @from AND timestamp < @to GROUP BY 1
        ) counted
        GROUP BY bucket
        ORDER BY bucket
        """;

    /// <summary>Both read the partial index of unanswered messages, however large the table.</summary>
    public const string Backlog = """
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE answered_at IS NULL) AS Waiting,
            (SELECT timestamp FROM web_chat_messages WHERE answered_at IS NULL ORDER BY id LIMIT 1) AS OldestTimestamp
        """;

    public const string ClosedDays = """
        SELECT day, agent_id, messages, replies, answered, p50_seconds, p95_seconds
        FROM stats_daily
        WHERE day >= @fromDay AND day < @toDay
        """;

    /// <summary>A day another request or instance kept first is left as it is: both counted the same closed day.</summary>
    public const string KeepClosedDay = """
        INSERT INTO stats_daily (day, agent_id, messages, replies, answered, p50_seconds, p95_seconds)
        VALUES (@Day, @AgentId, @Messages, @Replies, @Answered, @P50Seconds, @P95Seconds)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// p50 and p95 of the reply latency per day of the reply, over all messages answered from <c>@from</c> to <c>@to</c>
    /// and per agent. <c>answered_at</c> is the first reply's time, so the partial index of answered messages (step 009)
    /// holds all a day needs but the session's agent, one seek each (<c>idx_web_chat_sessions_agent</c>). The named
    /// windows let the ranks and counts share two sorts. The nearest rank of percentile p among n values is
    /// ceil(p·n/100), written in integers so no rounding function is needed.
    /// </summary>
    public static string Latency(ISqlDialect dialect) => $"""
        WITH answered AS (
            SELECT {dialect.DayOf("m.answered_at")} AS day, s.agent_id, {dialect.SecondsBetween("m.timestamp", "m.answered_at")} AS seconds
            FROM web_chat_messages m
            LEFT JOIN web_chat_sessions s ON s.session_id = m.session_id
            WHERE m.answered_at >= @from AND m.answered_at < @to
        ),
        ranked AS (
            SELECT day, agent_id, seconds,
                   ROW_NUMBER() OVER by_day AS day_rank, COUNT(*) OVER (PARTITION BY day) AS day_count,
                   ROW_NUMBER() OVER by_agent AS agent_rank, COUNT(*) OVER (PARTITION BY day, agent_id) AS agent_count
            FROM answered
            WINDOW by_day AS (PARTITION BY day ORDER BY seconds),
                   by_agent AS (PARTITION BY day, agent_id ORDER BY seconds)
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
        """;
}
