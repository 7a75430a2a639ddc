namespace ChatBridge.Storage;

/// <summary>
/// The dashboard's SQL, the same on SQLite and PostgreSQL but for the few expressions each engine writes its own way
/// (an hour or a day of a point in time, the seconds between two). Every query reads a range of an index (schema steps
/// 008 and 009), so its cost follows the rows of its range, not the tables' size.
/// </summary>
internal static class StatsSql
{
    /// <summary>Messages and replies per hour, each table counted on its own timestamp index.</summary>
    public static string HourlyActivity(ISqlDialect dialect) => $"""
        SELECT bucket AS Bucket, CAST(SUM(messages) AS BIGINT) AS Messages, CAST(SUM(replies) AS BIGINT) AS Replies
        FROM (
            SELECT {dialect.HourOf("timestamp")} AS bucket, COUNT(*) AS messages, 0 AS replies
            FROM web_chat_messages WHERE timestamp >= @from AND timestamp < @to GROUP BY 1
            UNION ALL
            SELECT {dialect.HourOf("timestamp")}, 0, COUNT(*)
            FROM web_chat_responses WHERE timestamp >= @from AND timestamp < @to GROUP BY 1
        ) counted
        GROUP BY bucket
        ORDER BY bucket
        """;

    /// <summary>
    /// Messages and replies from <c>@from</c> to <c>@to</c>, a day: plain counts of index ranges, a third of the cost of
    /// naming each row's bucket, which is what a month of days to count at once makes worth it.
    /// </summary>
    public const string DayActivity = """
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE timestamp >= @from AND timestamp < @to) AS Messages,
            (SELECT COUNT(*) FROM web_chat_responses WHERE timestamp >= @from AND timestamp < @to) AS Replies
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
    /// Every message answered from <c>@from</c> to <c>@to</c>, a day: its session and how long it waited for its first
    /// reply. <c>answered_at</c> is that reply's time, so the partial index of answered messages (step 009) holds all of
    /// it. The agents are read apart, once per session (<see cref="SessionAgents"/>): a seek per answer was ~20 of a
    /// day's ~30 ms on PostgreSQL with a million messages, for a tenth as many sessions; and a join there is planned as
    /// a hash of the whole sessions table, once per day counted. <see cref="Stats.LatencyPercentiles"/> ranks them.
    /// </summary>
    public static string AnswerTimes(ISqlDialect dialect) => $"""
        SELECT m.session_id AS SessionId, {dialect.SecondsBetween("m.timestamp", "m.answered_at")} AS Seconds
        FROM web_chat_messages m
        WHERE m.answered_at >= @from AND m.answered_at < @to
        """;

    /// <summary>
    /// The answers of a day still open from <c>@from</c> to <c>@to</c>, as <see cref="AnswerTimes"/> with what tells one
    /// from another: the message's id and when it was answered. Kept between requests, so a request reads the answers
    /// since the last (<see cref="Stats.OpenDayTally"/>). Closed days do without them: PostgreSQL's index of answered
    /// messages lacks the id, and a month of closed days would read every row's page for it.
    /// </summary>
    public static string OpenAnswers(ISqlDialect dialect) => $"""
        SELECT m.id AS Id, m.session_id AS SessionId, m.answered_at AS AnsweredAt, {dialect.SecondsBetween("m.timestamp", "m.answered_at")} AS Seconds
        FROM web_chat_messages m
        WHERE m.answered_at >= @from AND m.answered_at < @to
        """;

    /// <summary>The messages answered from <c>@from</c> to <c>@to</c>, counted in the partial index of answered messages.</summary>
    public const string AnsweredCount = "SELECT COUNT(*) FROM web_chat_messages WHERE answered_at >= @from AND answered_at < @to";

    /// <summary>The agent (or none) of each session in <c>@sessionIds</c>, a JSON array of ids: one seek each.</summary>
    public static string SessionAgents(ISqlDialect dialect) => $"""
        SELECT s.session_id AS SessionId, s.agent_id AS AgentId
        FROM web_chat_sessions s
        WHERE s.session_id IN ({dialect.TextsOfJsonArray("@sessionIds")})
        """;
}
