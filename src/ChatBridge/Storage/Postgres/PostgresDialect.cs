using ChatBridge.Chat;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage.Postgres;

/// <summary>PostgreSQL's side of the stores' SQL: many instances write at once, so claims and replies lock rows.</summary>
internal sealed class PostgresDialect(AnnouncedWrites announced) : ISqlDialect
{
    // A message's statement begins with its session created, or else touched: the touch sees the statement's snapshot,
    // so for a new session it finds nothing and the new row's uid is taken instead.
    private const string CreateSession = """
        created AS (
            INSERT INTO web_chat_sessions (session_id, uid, agent_id, user_id, ip_address, user_agent, metadata, status, created_at, last_active, token_hash)
            VALUES (@sessionId, @uid, @agentId, @userId, @ipAddress, @userAgent, '{}', 'active', @now, @now, @tokenHash)
            ON CONFLICT (session_id) DO NOTHING
            RETURNING uid, token_hash)
        """;

    private const string TouchSession = """
        UPDATE web_chat_sessions SET last_active = @now, status = 'active', agent_id = COALESCE(@agentId, agent_id),
            user_id = COALESCE(user_id, @userId)
        """;

    // A repeated client_message_id stores no message (the unique index decides, across instances) and returns no row.
    private const string InsertMessageUnlessRepeated = """
        INSERT INTO web_chat_messages (session_id, message, timestamp, client_timestamp, uid, processed, client_message_id)
        SELECT @sessionId, @text, @now, @clientTimestamp, session.uid, 0, @clientMessageId FROM session
        ON CONFLICT (session_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
        RETURNING id, uid, EXISTS (SELECT 1 FROM created) AS created, (SELECT token_hash FROM session) AS token_hash
        """;

    // One statement in the message's transaction: the session is created (or touched) and the message stored together.
    // A session another instance created in the same instant is in neither part; the message is stored without its uid.
    private const string StoreMessage = $"""
        WITH {CreateSession},
        touched AS ({TouchSession} WHERE session_id = @sessionId RETURNING uid, token_hash),
        session AS (SELECT uid, token_hash FROM created UNION ALL SELECT uid, token_hash FROM touched
                    UNION ALL SELECT NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM created) AND NOT EXISTS (SELECT 1 FROM touched))
        {InsertMessageUnlessRepeated}
        """;

    // StoreMessage for the usual message, committing by itself: the touch runs only for a session that answers to the
    // caller (legacy, its token, or its owner let in by the guard), and the message goes in only when the session was
    // created or touched. Anything else (another token, a session another instance is creating right now, a retry)
    // writes nothing and returns no row, for StoreMessage's transaction to decide.
    private const string StoreUsualMessage = $"""
        WITH {CreateSession},
        touched AS (
            {TouchSession}
            WHERE session_id = @sessionId AND (token_hash IS NULL OR @byOwnership OR token_hash = @tokenHash)
            RETURNING uid, token_hash),
        session AS (SELECT uid, token_hash FROM created UNION ALL SELECT uid, token_hash FROM touched)
        {InsertMessageUnlessRepeated}
        """;

    // The reply, its link and its message's answer in one statement, without a transaction. The session is touched
    // only when the reply will be stored (a session of the key's agent, holding the message the reply names) and before
    // any message is read, so replies to one session lock the session and then a message, always in that order. The
    // oldest answerable message is taken FOR UPDATE: a reply that took it first and committed since makes this one
    // re-check it, find it answered and take the next, as the transaction's later statements would. Anything else
    // touches nothing and returns no row, for ReplyStore's transaction to decide. A stored reply is announced to the
    // other instances in the same statement, so the notification commits with it, carrying the reply when it fits
    // (AnnouncedWrites).
    private const string StoreUsualReply = $"""
        WITH touched AS (
            UPDATE web_chat_sessions SET last_active = @now
            WHERE session_id = @sessionId
              AND (@onlyAgent IS NULL OR {ChatSql.LiveAgentOfUpdatedSession} = @onlyAgent)
              AND (@messageId IS NULL OR EXISTS (SELECT 1 FROM web_chat_messages WHERE id = @messageId AND session_id = @sessionId))
            RETURNING {ChatSql.LiveAgentOfUpdatedSession} AS agent_id),
        oldest AS MATERIALIZED (
            SELECT id FROM web_chat_messages
            WHERE @messageId IS NULL AND EXISTS (SELECT 1 FROM touched) AND {ChatSql.Answerable}
            ORDER BY id LIMIT 1
            FOR UPDATE),
        inserted AS (
            INSERT INTO web_chat_responses (session_id, message_id, response, response_id, status, timestamp, author)
            SELECT @sessionId, COALESCE(@messageId, (SELECT id FROM oldest)), @text, @responseKey, 'sent', @now, @author
            WHERE EXISTS (SELECT 1 FROM touched)
            RETURNING id, message_id),
        answered AS (
            UPDATE web_chat_messages SET {ChatSql.AnswerMark}
            WHERE id = (SELECT message_id FROM inserted))
        SELECT inserted.id, inserted.message_id, (SELECT agent_id FROM touched) AS agent_id
        FROM inserted CROSS JOIN LATERAL pg_notify(@channel, @announcement || inserted.id || '|' || COALESCE(inserted.message_id::text, '') || @carried) AS announced
        """;

    // A message whose session another instance created in the same instant: its uid is read once that has committed.
    private const string SessionOfMessage = "SELECT uid, token_hash FROM web_chat_sessions WHERE session_id = @sessionId";

    public string CaseInsensitiveLike => "ILIKE";

    // The pick is materialized first: as an IN (…) subquery the planner may run it again, and each run skips other
    // rows, so a claim could take more than its limit.
    public string ClaimMessages => $"""
        WITH picked AS MATERIALIZED (
            SELECT id AS picked_id FROM web_chat_messages
            WHERE {ChatSql.Claimable} AND (@since IS NULL OR timestamp > @since) AND {ChatSql.OfAgent}
            ORDER BY id LIMIT @limit OFFSET @offset
            FOR UPDATE SKIP LOCKED)
        UPDATE web_chat_messages
        SET processed = 1, processed_at = @now, claim_expires_at = @expires, delivery_count = delivery_count + 1, claimed_by = @poller
        FROM picked
        WHERE web_chat_messages.id = picked.picked_id
        RETURNING {ChatSql.ClaimedColumns}
        """;

    /// <summary>Also the shared rate-limit windows, which only PostgreSQL keeps in the database.</summary>
    public string DeleteAllChatData => ChatSql.DeleteChatRows + "\nDELETE FROM bridge_rate_counters;";

    public string HourOf(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')";

    public string DayOf(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')";

    // date_part stays in float8; EXTRACT computes in numeric since PostgreSQL 14, a third slower over a day's answers.
    public string SecondsBetween(string from, string to) => $"date_part('epoch', {to} - {from})";

    public string TextsOfJsonArray(string parameter) => $"SELECT json_array_elements_text(CAST({parameter} AS json))";

    public async Task<StoredMessage> StoreMessageAsync(ISqlSession sql, NewMessage message, string newUid, DateTimeOffset now)
    {
        var row = await sql.FirstOrDefaultAsync<StoredRow>(StoreMessage,
            P("@sessionId", message.SessionId), P("@uid", newUid), P("@agentId", message.AgentId),
            P("@ipAddress", message.IpAddress), P("@userAgent", message.UserAgent), P("@now", now),
            P("@text", message.Text), P("@clientTimestamp", message.ClientTimestamp), P("@userId", message.UserId),
            P("@tokenHash", message.TokenHash), P("@clientMessageId", message.ClientMessageId));
        if (row is null)
        {
            // The conflict waited for the first send's transaction, so this statement's fresh snapshot sees its row.
            var sent = await sql.FirstOrDefaultAsync<SentMessageRow>(ChatSql.SentMessage,
                P("@sessionId", message.SessionId), P("@clientMessageId", message.ClientMessageId));
            return sent!.Repeated(message.SessionId);
        }
        var (uid, tokenHash) = row.Uid is not null
            ? (row.Uid, row.TokenHash)
            : await sql.FirstOrDefaultAsync<StoredRow>(SessionOfMessage, P("@sessionId", message.SessionId)) is { } session
                ? (session.Uid, session.TokenHash)
                : (null, null);
        return new StoredMessage(row.Id, message.SessionId, uid ?? "", row.Created, now, message.ClientTimestamp, tokenHash);
    }

    /// <summary>One round trip instead of two (the statement with its <c>BEGIN</c>, then <c>COMMIT</c>).</summary>
    public async Task<Written<StoredMessage>?> TryStoreUsualMessageAsync(IDatabase db, NewMessage message, string newUid, DateTimeOffset now, CancellationToken ct)
    {
        if (message.Attachments is { Count: > 0 })
        {
            return null;
        }
        var written = await db.WriteStatementAsync(sql => sql.FirstOrDefaultAsync<StoredRow>(StoreUsualMessage,
            P("@sessionId", message.SessionId), P("@uid", newUid), P("@agentId", message.AgentId),
            P("@ipAddress", message.IpAddress), P("@userAgent", message.UserAgent), P("@now", now),
            P("@text", message.Text), P("@clientTimestamp", message.ClientTimestamp), P("@userId", message.UserId),
            P("@tokenHash", message.TokenHash), P("@byOwnership", message.ByOwnership), P("@clientMessageId", message.ClientMessageId)), ct);
        return written.Value is { } row
            ? Written<StoredMessage>.Durably(new StoredMessage(row.Id, message.SessionId, row.Uid ?? "", row.Created, now, message.ClientTimestamp, row.TokenHash))
            : null;
    }

    /// <summary>
    /// One round trip instead of four (the touch with its <c>BEGIN</c>, the reply, the answer, <c>COMMIT</c>), and none
    /// for the bus: the statement announces the reply itself.
    /// </summary>
    public async Task<Written<StoredResponse>?> TryStoreUsualReplyAsync(IDatabase db, NewResponse response, string responseKey, DateTimeOffset now, CancellationToken ct)
    {
        var written = await db.WriteStatementAsync(sql => sql.FirstOrDefaultAsync<StoredReplyRow>(StoreUsualReply,
            P("@sessionId", response.SessionId), P("@messageId", response.MessageId), P("@onlyAgent", response.OnlyAgent),
            P("@text", response.Text), P("@responseKey", responseKey), P("@now", now), P("@author", response.Author),
            P("@poller", response.Poller), P("@channel", PostgresBus.Channel), P("@announcement", announced.ReplyPrefix),
            P("@carried", announced.CarriedReply(response, now))), ct);
        if (written.Value is not { } row)
        {
            return null;
        }
        announced.ReplyAnnounced(row.Id);
        return Written<StoredResponse>.Durably(new StoredResponse(ResponseOutcome.Stored, row.Id, now, row.MessageId, row.AgentId));
    }

    private sealed record StoredReplyRow
    {
        public long Id { get; init; }

        public long? MessageId { get; init; }

        public long? AgentId { get; init; }
    }

    private sealed record StoredRow
    {
        public long Id { get; init; }

        public string? Uid { get; init; }

        public bool Created { get; init; }

        public string? TokenHash { get; init; }
    }
}
