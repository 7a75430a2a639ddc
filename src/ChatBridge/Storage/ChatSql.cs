namespace ChatBridge.Storage;

/// <summary>
/// The chat tables' SQL that reads the same on SQLite and PostgreSQL. Points in time are bound and read as
/// <see cref="DateTimeOffset"/>: SQLite keeps them as the contract's <c>…T…Z</c> text, which sorts as it reads,
/// PostgreSQL as <c>timestamptz</c>, so one comparison means the same on both. <c>processed</c> is 0/1 on both.
/// </summary>
internal static class ChatSql
{
    /// <summary>
    /// Handed out as often as allowed and never answered: the lease sweep left it delivered with no lease. Messages
    /// claimed before leases existed have no deliveries counted, so they never look exhausted.
    /// </summary>
    public const string ExhaustedMessage =
        "m.processed = 1 AND m.answered_at IS NULL AND m.claim_expires_at IS NULL AND m.delivery_count > 0";

    public const string SessionSummaryColumns = $"""
        s.session_id AS id, s.uid, s.created_at, s.last_active, s.ip_address, s.metadata, COALESCE(s.status, 'active') AS status,
        {LiveUser} AS user_id, (SELECT us.username FROM users us WHERE us.id = s.user_id) AS username,
        {LiveAgent} AS agent_id,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id) AS message_count,
        (SELECT COUNT(*) FROM web_chat_responses r WHERE r.session_id = s.session_id) AS response_count,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id AND {ExhaustedMessage}) AS exhausted_count
        """;

    public const string TranscriptMessageColumns = $"""
        m.id, m.session_id, m.message, m.timestamp, m.processed_at, m.answered_at, m.delivery_count,
        CASE WHEN m.answered_at IS NOT NULL THEN 'answered' WHEN m.processed = 1 THEN 'delivered' ELSE 'pending' END AS status,
        CASE WHEN {ExhaustedMessage} THEN 1 ELSE 0 END AS exhausted
        """;

    public const string SessionResponses = """
        SELECT id, response, timestamp, message_id, author FROM web_chat_responses
        WHERE session_id = @sessionId
          AND (@since IS NULL OR timestamp > @since)
          AND (@afterId IS NULL OR id > @afterId)
        ORDER BY id
        """;

    /// <summary>No row for an unknown session.</summary>
    public const string SessionActivity = "SELECT last_active FROM web_chat_sessions WHERE session_id = @sessionId";

    /// <summary>
    /// A session a client polls before it has sent anything. Both checks stay: the NOT EXISTS keeps an older table
    /// without a unique session id free of duplicates, the ON CONFLICT another instance that creates it at the same time.
    /// </summary>
    public const string CreateSessionIfMissing = """
        INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active)
        SELECT @sessionId, @uid, @agentId, @ipAddress, @userAgent, '{}', 'active', @now, @now
        WHERE NOT EXISTS (SELECT 1 FROM web_chat_sessions WHERE session_id = @sessionId)
        ON CONFLICT DO NOTHING
        """;

    public const string TouchSession =
        "UPDATE web_chat_sessions SET last_active = @now WHERE session_id = @sessionId AND (last_active IS NULL OR last_active < @now)";

    public const string InsertMessage = """
        INSERT INTO web_chat_messages (session_id, message, timestamp, client_timestamp, uid, processed)
        VALUES (@sessionId, @text, @now, @clientTimestamp, @uid, 0)
        RETURNING id
        """;

    /// <summary>
    /// A message of <c>@agentId</c>'s sessions, or of any when it is null: an agent's own Broca key gets only its agent's
    /// messages. Read through <c>idx_web_chat_sessions_by_agent</c>.
    /// </summary>
    public const string OfAgent =
        "(@agentId IS NULL OR session_id IN (SELECT a.session_id FROM web_chat_sessions a WHERE a.agent_id = @agentId))";

    public const string CountUnclaimed =
        $"SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0 AND (@since IS NULL OR timestamp > @since) AND {OfAgent}";

    /// <summary>
    /// Session <c>s</c>'s agent as the control app still has it: its connections do not enforce foreign keys, so an agent
    /// it deleted can leave its id behind, which means no agent.
    /// </summary>
    public const string LiveAgent = "(SELECT ag.id FROM agents ag WHERE ag.id = s.agent_id)";

    /// <summary>Session <c>s</c>'s user, likewise.</summary>
    public const string LiveUser = "(SELECT us.id FROM users us WHERE us.id = s.user_id)";

    /// <summary>The claimed rows as Broca sees them; the session's uid wins over the one stored with an older message.</summary>
    public const string ClaimedColumns = $"""
        id, session_id, message, timestamp,
        COALESCE((SELECT s.uid FROM web_chat_sessions s WHERE s.session_id = web_chat_messages.session_id), uid, '') AS uid,
        (SELECT {LiveAgent} FROM web_chat_sessions s WHERE s.session_id = web_chat_messages.session_id) AS agent_id,
        delivery_count
        """;

    public const string ReleaseClaim = """
        UPDATE web_chat_messages SET processed = 0, claim_expires_at = NULL, delivery_count = delivery_count - 1
        WHERE id = @id AND delivery_count = @deliveryCount AND claim_expires_at IS NOT NULL AND answered_at IS NULL
        RETURNING id, session_id, delivery_count
        """;

    public const string HasExpiredLeases =
        "SELECT EXISTS (SELECT 1 FROM web_chat_messages WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now)";

    public const string ExpireLeases = """
        UPDATE web_chat_messages
        SET processed = CASE WHEN delivery_count < @maxDeliveries THEN 0 ELSE 1 END, claim_expires_at = NULL
        WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now AND answered_at IS NULL
        RETURNING id, session_id, delivery_count
        """;

    public const string BacklogCounts = """
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0) AS pending,
            (SELECT timestamp FROM web_chat_messages WHERE processed = 0 ORDER BY id LIMIT 1) AS oldest_pending,
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 1 AND answered_at IS NULL) AS unanswered
        """;

    public const string MessageInSession =
        "SELECT EXISTS (SELECT 1 FROM web_chat_messages WHERE id = @messageId AND session_id = @sessionId)";

    /// <summary>A message handed out before counts even when its lease has lapsed since: the agent may just be slow.</summary>
    public const string OldestUnanswered = """
        SELECT id FROM web_chat_messages
        WHERE session_id = @sessionId AND (processed = 1 OR delivery_count > 0) AND answered_at IS NULL
        ORDER BY id LIMIT 1
        """;

    public const string InsertResponse = """
        INSERT INTO web_chat_responses (session_id, message_id, response, response_id, status, timestamp, author)
        VALUES (@sessionId, @messageId, @text, @responseKey, 'sent', @now, @author)
        RETURNING id
        """;

    /// <summary>An answer ends the lease; a message that went back to the inbox after it was handed out leaves it again.</summary>
    public const string MarkAnswered = """
        UPDATE web_chat_messages
        SET answered_at = COALESCE(answered_at, @now), claim_expires_at = NULL,
            processed = CASE WHEN delivery_count > 0 THEN 1 ELSE processed END
        WHERE id = @messageId
        """;

    public const string TouchAnsweredSession = "UPDATE web_chat_sessions SET last_active = @now WHERE session_id = @sessionId";

    public const string ResponseById =
        "SELECT session_id, id, response, timestamp, message_id, author FROM web_chat_responses WHERE id = @responseId";

    /// <summary>Replies by id, for a list of <paramref name="count"/> ids passed as <c>@id0</c>, <c>@id1</c>, ….</summary>
    public static string ResponsesByIds(int count) =>
        $"SELECT session_id, id, response, timestamp, message_id, author FROM web_chat_responses WHERE id IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => $"@id{i}"))}) ORDER BY id";

    public const string ResponsesSince = """
        SELECT session_id, id, response, timestamp, message_id, author FROM web_chat_responses
        WHERE timestamp >= @since ORDER BY id
        """;

    public const string CountAllSessions = "SELECT COUNT(*) FROM web_chat_sessions";

    public const string SessionOwners = $"SELECT {LiveAgent} AS agent_id, {LiveUser} AS user_id FROM web_chat_sessions s WHERE s.session_id = @sessionId";

    /// <summary>Each filter is off when its parameter is null (or waiting is 0), so one plain statement serves every combination.</summary>
    private static string SessionFilters(string like) => $"""
        (@activeSince IS NULL OR s.last_active >= @activeSince)
        AND (@agentId IS NULL OR s.agent_id = @agentId)
        AND (@waiting = 0 OR EXISTS (SELECT 1 FROM web_chat_messages w WHERE w.session_id = s.session_id AND w.answered_at IS NULL))
        AND (@pattern IS NULL
             OR s.session_id {like} @pattern ESCAPE '\' OR s.uid {like} @pattern ESCAPE '\'
             OR EXISTS (SELECT 1 FROM web_chat_messages t WHERE t.session_id = s.session_id AND t.message {like} @pattern ESCAPE '\')
             OR EXISTS (SELECT 1 FROM web_chat_responses t WHERE t.session_id = s.session_id AND t.response {like} @pattern ESCAPE '\'))
        """;

    public static string CountSessions(string like) => $"SELECT COUNT(*) FROM web_chat_sessions s WHERE {SessionFilters(like)}";

    public static string ListSessions(string like) => $"""
        SELECT {SessionSummaryColumns}
        FROM web_chat_sessions s
        WHERE {SessionFilters(like)}
        ORDER BY s.last_active DESC, s.id DESC
        LIMIT @limit OFFSET @offset
        """;

    public const string UnansweredMessages = $"""
        SELECT {TranscriptMessageColumns}, s.uid, {LiveAgent} AS agent_id
        FROM web_chat_messages m
        JOIN web_chat_sessions s ON s.session_id = m.session_id
        WHERE m.answered_at IS NULL
        ORDER BY m.id
        LIMIT @limit OFFSET @offset
        """;

    public const string CountUnanswered = "SELECT COUNT(*) FROM web_chat_messages WHERE answered_at IS NULL";

    public const string SessionSummary = $"SELECT {SessionSummaryColumns} FROM web_chat_sessions s WHERE s.session_id = @sessionId";

    public const string ConversationMessages = $"""
        SELECT {TranscriptMessageColumns} FROM web_chat_messages m
        WHERE m.session_id = @sessionId AND (@afterId IS NULL OR m.id > @afterId)
        ORDER BY m.id
        """;

    public const string ConversationResponses = """
        SELECT id, response, timestamp, message_id, author FROM web_chat_responses
        WHERE session_id = @sessionId AND (@afterId IS NULL OR id > @afterId)
        ORDER BY id
        """;

    /// <summary>
    /// Idle sessions that hold no message Broca has still to pick up or may be handed again (a live lease). Children are
    /// deleted explicitly because chat tables inherited from an older schema may lack ON DELETE CASCADE.
    /// </summary>
    public const string IdleSessions = """
        SELECT s.session_id FROM web_chat_sessions s
        WHERE s.last_active < @idleBefore
          AND NOT EXISTS (SELECT 1 FROM web_chat_messages m
                          WHERE m.session_id = s.session_id AND (m.processed = 0 OR m.claim_expires_at IS NOT NULL))
        """;

    public const string DeleteIdleChildren = $"""
        DELETE FROM web_chat_responses WHERE session_id IN ({IdleSessions});
        DELETE FROM web_chat_messages WHERE session_id IN ({IdleSessions});
        """;

    public const string DeleteIdleSessions = $"DELETE FROM web_chat_sessions WHERE session_id IN ({IdleSessions})";

    public const string DeleteChatRows = """
        DELETE FROM chatbridge_attachments;
        DELETE FROM web_chat_responses;
        DELETE FROM web_chat_messages;
        DELETE FROM web_chat_sessions;
        DELETE FROM rate_limits;
        DELETE FROM stats_daily;
        """;

    public const string RemainingChatData = """
        SELECT (SELECT COUNT(*) FROM web_chat_responses) AS responses,
               (SELECT COUNT(*) FROM web_chat_messages) AS messages,
               (SELECT COUNT(*) FROM web_chat_sessions) AS sessions
        """;

    public const string ReadConfig = "SELECT config_key, config_value FROM system_config WHERE config_key = @key";

    /// <summary>
    /// The control app's own form of the row: its ORM reads the times, in its <c>YYYY-MM-DD HH:MM:SS</c> UTC. Both schemas
    /// declare <c>config_key</c> unique, so two instances writing one key at once cannot collide.
    /// </summary>
    public const string UpsertConfig = """
        INSERT INTO system_config (config_key, config_value, created_at, updated_at) VALUES (@key, @value, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
        ON CONFLICT (config_key) DO UPDATE SET config_value = excluded.config_value, updated_at = CURRENT_TIMESTAMP
        """;

    /// <summary>Makes <c>%</c>, <c>_</c> and the escape character itself match literally in a <c>LIKE … ESCAPE '\'</c>.</summary>
    public static string? LikePattern(string? text) =>
        text is null
            ? null
            : $"%{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%";

    /// <summary>A session's public handle: 16 lowercase hex characters from the system's cryptographic RNG.</summary>
    public static string NewUid() => System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true);

    /// <summary>The external id the Flask bridge gave each response, still filled for readers of this table.</summary>
    public static string NewResponseKey() => "resp_" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true);
}
