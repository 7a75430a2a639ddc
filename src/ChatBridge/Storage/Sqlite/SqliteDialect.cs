using ChatBridge.Chat;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage.Sqlite;

/// <summary>SQLite's side of the stores' SQL. One writer at a time, so nothing needs a row lock.</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    // agent_id is set apart, and only when it changes: SQLite rewrites an index entry whenever its column is
    // assigned, even to the value it holds, and rewriting idx_web_chat_sessions_agent on every message took w2 from
    // 8.2 to 11.4 pages written to the log per message. The touch returns the session's agent and user (a value another
    // writer left that is no id reads as none, and is then set as before) so the usual message skips both updates.
    private const string TouchSessionForMessage = """
        UPDATE web_chat_sessions SET last_active = @now, status = 'active'
        WHERE session_id = @sessionId
        RETURNING uid, token_hash,
            CASE WHEN typeof(agent_id) = 'integer' THEN agent_id END AS agent_id,
            CASE WHEN typeof(user_id) = 'integer' THEN user_id END AS user_id
        """;

    private const string SetSessionAgent = """
        UPDATE web_chat_sessions SET agent_id = @agentId
        WHERE session_id = @sessionId AND (agent_id IS NULL OR agent_id <> @agentId)
        """;

    private const string SetSessionUser = "UPDATE web_chat_sessions SET user_id = @userId WHERE session_id = @sessionId AND user_id IS NULL";

    public string CaseInsensitiveLike => "LIKE";

    // RETURNING gives rows in no particular order; the store sorts them.
    public string ClaimMessages => $"""
        UPDATE web_chat_messages
        SET processed = 1, processed_at = @now, claim_expires_at = @expires, delivery_count = delivery_count + 1, claimed_by = @poller
        WHERE id IN (
            SELECT id FROM web_chat_messages
            WHERE {ChatSql.Claimable} AND (@since IS NULL OR timestamp > @since) AND {ChatSql.OfAgent}
            ORDER BY id LIMIT @limit OFFSET @offset)
        RETURNING {ChatSql.ClaimedColumns}
        """;

    public string DeleteAllChatData => ChatSql.DeleteChatRows;

    public string HourOf(string column) => $"substr({column}, 1, 13)";

    public string DayOf(string column) => $"substr({column}, 1, 10)";

    public string SecondsBetween(string from, string to) => $"(julianday({to}) - julianday({from})) * 86400.0";

    public string TextsOfJsonArray(string parameter) => $"SELECT value FROM json_each({parameter})";

    /// <summary>
    /// Short statements, each kept prepared on the writer's connection; a send that repeats a <c>client_message_id</c>
    /// reads back the message it repeats once the insert has refused it. One writer at a time, so nothing can slip in
    /// between: a session the touch did not find is created, and one it found is given its agent and user only when
    /// they are not already the message's, so the usual message to a known session costs two statements.
    /// </summary>
    /// <summary>The single writer commits groups of writes in this process, so a message's or reply's transaction costs nothing extra.</summary>
    public Task<Written<StoredMessage>?> TryStoreUsualMessageAsync(IDatabase db, NewMessage message, string newUid, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<Written<StoredMessage>?>(null);

    public Task<Written<StoredResponse>?> TryStoreUsualReplyAsync(IDatabase db, NewResponse response, string responseKey, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<Written<StoredResponse>?>(null);

    public async Task<StoredMessage> StoreMessageAsync(ISqlSession sql, NewMessage message, string newUid, DateTimeOffset now)
    {
        var session = await sql.FirstOrDefaultAsync<TouchedSession>(TouchSessionForMessage, P("@sessionId", message.SessionId), P("@now", now));
        var created = false;
        if (session is null)
        {
            created = await sql.ExecuteAsync(ChatSql.CreateSessionIfMissing,
                P("@sessionId", message.SessionId), P("@uid", newUid), P("@agentId", message.AgentId),
                P("@ipAddress", message.IpAddress), P("@userAgent", message.UserAgent), P("@now", now), P("@tokenHash", message.TokenHash)) == 1;
            session = created ? new TouchedSession { Uid = newUid, TokenHash = message.TokenHash, AgentId = message.AgentId } : null;
        }
        if (message.AgentId is { } agentId && session is not null && session.AgentId != agentId)
        {
            await sql.ExecuteAsync(SetSessionAgent, P("@sessionId", message.SessionId), P("@agentId", agentId));
        }
        if (message.UserId is { } userId && session is not null && session.UserId is null)
        {
            await sql.ExecuteAsync(SetSessionUser, P("@sessionId", message.SessionId), P("@userId", userId));
        }
        // A retry is known by the unique index refusing its row, so a first send pays no read for it. The statements
        // above ran for a retry too: they are its own request again (the same agent and user, a touch of its session).
        var id = await sql.ScalarAsync<long?>(ChatSql.InsertMessage,
            P("@sessionId", message.SessionId), P("@text", message.Text), P("@now", now),
            P("@clientTimestamp", message.ClientTimestamp), P("@uid", session?.Uid), P("@clientMessageId", message.ClientMessageId));
        if (id is null)
        {
            var sent = await sql.FirstOrDefaultAsync<SentMessageRow>(ChatSql.SentMessage,
                P("@sessionId", message.SessionId), P("@clientMessageId", message.ClientMessageId));
            return sent!.Repeated(message.SessionId);
        }
        return new StoredMessage(id.Value, message.SessionId, session?.Uid ?? "", created, now, message.ClientTimestamp, session?.TokenHash);
    }

    private sealed record TouchedSession
    {
        public string? Uid { get; init; }

        public string? TokenHash { get; init; }

        public long? AgentId { get; init; }

        public long? UserId { get; init; }
    }
}
