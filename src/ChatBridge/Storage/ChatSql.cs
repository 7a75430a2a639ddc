namespace ChatBridge.Storage;

/// <summary>
/// The chat tables' SQL that reads the same on SQLite and PostgreSQL. Points in time are bound and read as
/// <see cref="DateTimeOffset"/>: SQLite keeps them as the contract's <c>…T…Z</c> text, which sorts as it reads,
/// PostgreSQL as <c>timestamptz</c>, so one comparison means the same on both. <c>processed</c> is 0/1 on both.
/// </summary>
internal static class ChatSql
{
    /// <summary>
    /// Stuck: it took <c>MaxDeliveries</c> strikes, so it has a back-off, and neither a reply nor an admin has settled it
    /// yet. It stays flagged while it is handed out again, until it is answered, dropped or retried. Read through
    /// <c>idx_web_chat_messages_stuck</c>.
    /// </summary>
    public const string ExhaustedMessage =
        "m.not_before IS NOT NULL AND m.answered_at IS NULL AND m.dropped_at IS NULL";

    /// <summary>Waiting in the inbox and due: not claimed, and past its back-off if it is stuck.</summary>
    public const string Claimable = "processed = 0 AND (not_before IS NULL OR not_before <= @now)";

    public const string SessionSummaryColumns = $"""
        s.session_id AS id, s.uid, s.created_at, s.last_active, s.ip_address, s.metadata, COALESCE(s.status, 'active') AS status,
        {LiveUser} AS user_id, (SELECT us.username FROM users us WHERE us.id = s.user_id) AS username,
        {LiveAgent} AS agent_id, s.hidden_at,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id) AS message_count,
        (SELECT COUNT(*) FROM web_chat_responses r WHERE r.session_id = s.session_id) AS response_count,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id AND {ExhaustedMessage}) AS exhausted_count
        """;

    public const string TranscriptMessageColumns = $"""
        m.id, m.session_id, m.message, m.timestamp, m.processed_at, m.answered_at, m.delivery_count, m.strikes,
        CASE WHEN m.answered_at IS NOT NULL THEN 'answered' WHEN m.dropped_at IS NOT NULL THEN 'dropped'
             WHEN m.processed = 1 THEN 'delivered' ELSE 'pending' END AS status,
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
        INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active, token_hash)
        SELECT @sessionId, @uid, @agentId, @ipAddress, @userAgent, '{}', 'active', @now, @now, @tokenHash
        WHERE NOT EXISTS (SELECT 1 FROM web_chat_sessions WHERE session_id = @sessionId)
        ON CONFLICT DO NOTHING
        """;

    public const string TouchSession =
        "UPDATE web_chat_sessions SET last_active = @now WHERE session_id = @sessionId AND (last_active IS NULL OR last_active < @now)";

    /// <summary>The new message's id, or no row when the session already holds one with its <c>client_message_id</c>.</summary>
    public const string InsertMessage = """
        INSERT INTO web_chat_messages (session_id, message, timestamp, client_timestamp, uid, processed, client_message_id)
        VALUES (@sessionId, @text, @now, @clientTimestamp, @uid, 0, @clientMessageId)
        ON CONFLICT (session_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
        RETURNING id
        """;

    /// <summary>
    /// The message a client sent before under the same <c>client_message_id</c>, as its first answer gave it; read through
    /// <c>idx_web_chat_messages_client_id</c>. It was a new user's exactly when its write created the session: both got
    /// the same time, and no message came before it.
    /// </summary>
    public const string SentMessage = """
        SELECT m.id AS message_id, m.timestamp, m.client_timestamp, s.uid, s.token_hash AS session_token_hash,
               CASE WHEN s.created_at = m.timestamp
                         AND NOT EXISTS (SELECT 1 FROM web_chat_messages e WHERE e.session_id = m.session_id AND e.id < m.id)
                    THEN 1 ELSE 0 END AS is_new_user
        FROM web_chat_messages m JOIN web_chat_sessions s ON s.session_id = m.session_id
        WHERE m.session_id = @sessionId AND m.client_message_id = @clientMessageId
        """;

    /// <summary>
    /// A message of <c>@agentId</c>'s sessions, or of any when it is null: an agent's own Broca key gets only its agent's
    /// messages. Read through <c>idx_web_chat_sessions_by_agent</c>.
    /// </summary>
    public const string OfAgent =
        "(@agentId IS NULL OR session_id IN (SELECT a.session_id FROM web_chat_sessions a WHERE a.agent_id = @agentId))";

    public const string CountUnclaimed =
        $"SELECT COUNT(*) FROM web_chat_messages WHERE {Claimable} AND (@since IS NULL OR timestamp > @since) AND {OfAgent}";

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

    /// <summary>
    /// Whether the Broca that held message <c>web_chat_messages</c> went on working: with the same key, after it claimed
    /// this message, it answered another message it had claimed no later than this one (one it held at the same time).
    /// A Broca that restarted answers only what it claimed since, and a start-up probe's claim is followed by newer
    /// claims only, so neither makes a lapse a strike. Reads the answers since the claim through
    /// <c>idx_web_chat_messages_answered</c>.
    /// </summary>
    private const string HeldTogetherAnswered = """
        EXISTS (SELECT 1 FROM web_chat_messages a
                WHERE a.answered_at >= web_chat_messages.processed_at
                  AND a.answered_by = web_chat_messages.claimed_by
                  AND a.processed_at <= web_chat_messages.processed_at
                  AND a.id <> web_chat_messages.id)
        """;

    public const string HasExpiredLeases =
        "SELECT EXISTS (SELECT 1 FROM web_chat_messages WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now)";

    /// <summary>
    /// Every lapsed message goes back to the inbox, a strike added when its Broca went on working. The RETURNING list
    /// asks the same question again: the update changes none of the columns it reads.
    /// </summary>
    public const string ExpireLeases = $"""
        UPDATE web_chat_messages
        SET processed = 0, claim_expires_at = NULL, strikes = strikes + CASE WHEN {HeldTogetherAnswered} THEN 1 ELSE 0 END
        WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now AND answered_at IS NULL
        RETURNING id, session_id, delivery_count, strikes, CASE WHEN {HeldTogetherAnswered} THEN 1 ELSE 0 END AS struck
        """;

    /// <summary>A stuck message waits out its back-off; set in the sweep's transaction, before any claim can see the row.</summary>
    public const string DelayStuck = "UPDATE web_chat_messages SET not_before = @notBefore WHERE id = @id";

    /// <summary>What an admin's drop or retry needs to know of a message first.</summary>
    public const string MessageSettlement = """
        SELECT id, session_id, delivery_count, strikes, answered_at IS NOT NULL AS answered, dropped_at IS NOT NULL AS dropped
        FROM web_chat_messages WHERE id = @id
        """;

    /// <summary>Out of the inbox for good; a live lease ends with it, and a late reply still answers it.</summary>
    public const string DropMessage = """
        UPDATE web_chat_messages SET dropped_at = @now, processed = 1, claim_expires_at = NULL
        WHERE id = @id AND answered_at IS NULL AND dropped_at IS NULL
        """;

    /// <summary>
    /// Strikes and back-off forgotten: due at once. A message under a live lease keeps it, since its Broca may still
    /// answer; it comes back when the lease lapses, as any other.
    /// </summary>
    public const string RetryMessage = """
        UPDATE web_chat_messages
        SET strikes = 0, not_before = NULL, processed = CASE WHEN claim_expires_at IS NULL THEN 0 ELSE processed END
        WHERE id = @id AND answered_at IS NULL AND dropped_at IS NULL
        """;

    public const string BacklogCounts = $"""
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0) AS pending,
            (SELECT timestamp FROM web_chat_messages WHERE processed = 0 ORDER BY id LIMIT 1) AS oldest_pending,
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 1 AND answered_at IS NULL AND dropped_at IS NULL) AS unanswered,
            (SELECT COUNT(*) FROM web_chat_messages m WHERE {ExhaustedMessage}) AS stuck
        """;

    /// <summary>
    /// <see cref="LiveAgent"/> of the session row an <c>UPDATE web_chat_sessions</c> is writing, by the table's name:
    /// SQLite's RETURNING sees no alias.
    /// </summary>
    public const string LiveAgentOfUpdatedSession = "(SELECT ag.id FROM agents ag WHERE ag.id = web_chat_sessions.agent_id)";

    /// <summary>
    /// A reply's first statement: its session is touched, which also locks the row where writers run concurrently (so
    /// two replies to one session never both take the same message), and the session's live agent read. No row for an
    /// unknown session.
    /// </summary>
    public const string TouchRepliedSession = $"""
        UPDATE web_chat_sessions SET last_active = @now
        WHERE session_id = @sessionId
        RETURNING {LiveAgentOfUpdatedSession} AS agent_id
        """;

    /// <summary>
    /// The messages of <c>@sessionId</c> a reply that names none may answer, the oldest first: handed out before (also
    /// when its lease has lapsed since: the agent may just be slow), unanswered, not dropped.
    /// </summary>
    public const string Answerable = "session_id = @sessionId AND (processed = 1 OR delivery_count > 0) AND answered_at IS NULL AND dropped_at IS NULL";

    /// <summary>
    /// The reply, linked to the message it names when the session holds it, or else to the session's oldest
    /// <see cref="Answerable"/> message (none when there is none). No row when it names a message the session does not hold.
    /// </summary>
    public const string InsertResponse = $"""
        INSERT INTO web_chat_responses (session_id, message_id, response, response_id, status, timestamp, author)
        SELECT @sessionId, answered.id, @text, @responseKey, 'sent', @now, @author
        FROM (SELECT CASE
                WHEN @messageId IS NULL THEN (SELECT id FROM web_chat_messages WHERE {Answerable} ORDER BY id LIMIT 1)
                ELSE (SELECT id FROM web_chat_messages WHERE id = @messageId AND session_id = @sessionId)
            END AS id) AS answered
        WHERE @messageId IS NULL OR answered.id IS NOT NULL
        RETURNING id, message_id
        """;

    /// <summary>
    /// What an answer sets on its message: the lease ends; a message that went back to the inbox after it was handed out
    /// leaves it again. The first answer records its Broca (<c>@poller</c>, null for a person), which the strike rule reads.
    /// </summary>
    public const string AnswerMark = """
        answered_at = COALESCE(answered_at, @now), claim_expires_at = NULL,
        answered_by = CASE WHEN answered_at IS NULL THEN @poller ELSE answered_by END,
        processed = CASE WHEN delivery_count > 0 THEN 1 ELSE processed END
        """;

    public const string MarkAnswered = $"UPDATE web_chat_messages SET {AnswerMark} WHERE id = @messageId";

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
        AND (@rated IS NULL OR EXISTS (SELECT 1 FROM chatbridge_feedback f WHERE f.session_id = s.session_id AND f.rating = @rated))
        AND (@waiting = 0 OR EXISTS (SELECT 1 FROM web_chat_messages w
                                     WHERE w.session_id = s.session_id AND w.answered_at IS NULL AND w.dropped_at IS NULL))
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
        SELECT {TranscriptMessageColumns}, m.not_before AS next_delivery_at, s.uid, {LiveAgent} AS agent_id
        FROM web_chat_messages m
        JOIN web_chat_sessions s ON s.session_id = m.session_id
        WHERE m.answered_at IS NULL AND m.dropped_at IS NULL
        ORDER BY m.id
        LIMIT @limit OFFSET @offset
        """;

    public const string CountUnanswered = "SELECT COUNT(*) FROM web_chat_messages WHERE answered_at IS NULL AND dropped_at IS NULL";

    public const string SessionSummary = $"SELECT {SessionSummaryColumns} FROM web_chat_sessions s WHERE s.session_id = @sessionId";

    public const string ConversationMessages = $"""
        SELECT {TranscriptMessageColumns} FROM web_chat_messages m
        WHERE m.session_id = @sessionId AND (@afterId IS NULL OR m.id > @afterId)
        ORDER BY m.id
        """;

    public const string ConversationResponses = """
        SELECT r.id, r.response, r.timestamp, r.message_id, r.author, r.seen_at, f.rating, f.reason, f.rated_at
        FROM web_chat_responses r LEFT JOIN chatbridge_feedback f ON f.response_id = r.id
        WHERE r.session_id = @sessionId AND (@afterId IS NULL OR r.id > @afterId)
        ORDER BY r.id
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
        DELETE FROM chatbridge_feedback WHERE session_id IN ({IdleSessions});
        DELETE FROM web_chat_responses WHERE session_id IN ({IdleSessions});
        DELETE FROM web_chat_messages WHERE session_id IN ({IdleSessions});
        """;

    public const string DeleteIdleSessions = $"DELETE FROM web_chat_sessions WHERE session_id IN ({IdleSessions})";

    public const string DeleteChatRows = """
        DELETE FROM chatbridge_feedback;
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

/// <summary>A message read back by <see cref="ChatSql.SentMessage"/>.</summary>
internal sealed record SentMessageRow
{
    public long MessageId { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public string? ClientTimestamp { get; init; }
    public string? Uid { get; init; }
    public string? SessionTokenHash { get; init; }
    public bool IsNewUser { get; init; }

    public Chat.StoredMessage Repeated(string sessionId) =>
        new(MessageId, sessionId, Uid ?? "", IsNewUser, Timestamp, ClientTimestamp, SessionTokenHash, Duplicate: true);
}
