using ChatBridge.Accounts;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// Sanctum's accounts in the control app's <c>users</c> and <c>user_sessions</c>, written as the control app writes them
/// (its times as <see cref="ControlAppTime"/>), and the bridge's own sign-in lockouts.
/// </summary>
internal sealed class AccountStore(IDatabase db) : IAccountStore
{
    private const string AccountColumns = "u.id, u.username, u.password_hash, u.role, COALESCE(u.is_active, TRUE) AS is_active";

    /// <summary>What a list shows of a conversation's first message.</summary>
    private const int TitleLength = 80;

    public Task<Account?> FindByUsernameAsync(string username, CancellationToken ct) =>
        db.ReadAsync(sql => sql.FirstOrDefaultAsync<Account>($"SELECT {AccountColumns} FROM users u WHERE u.username = @username", P("@username", username)), ct);

    public Task<DateTimeOffset?> LockedUntilAsync(long userId, DateTimeOffset now, CancellationToken ct) =>
        db.ReadAsync(sql => sql.ScalarAsync<DateTimeOffset?>(
            "SELECT locked_until FROM chatbridge_account_lockouts WHERE user_id = @userId AND locked_until > @now",
            P("@userId", userId), P("@now", now)), ct);

    public Task RecordFailureAsync(long userId, int lockAfter, DateTimeOffset lockedUntil, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            // One statement counts, so failures on two instances at once are both counted.
            var failures = await sql.ScalarAsync<long>(
                "UPDATE users SET failed_login_attempts = COALESCE(failed_login_attempts, 0) + 1 WHERE id = @userId RETURNING failed_login_attempts",
                P("@userId", userId));
            if (failures > 0 && failures % lockAfter == 0)
            {
                await sql.ExecuteAsync("""
                    INSERT INTO chatbridge_account_lockouts (user_id, locked_until) VALUES (@userId, @lockedUntil)
                    ON CONFLICT (user_id) DO UPDATE SET locked_until = excluded.locked_until
                    """, P("@userId", userId), P("@lockedUntil", lockedUntil));
            }
            return failures;
        }, ct);

    public Task RecordSignInAsync(SignIn signIn, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            var now = new ControlAppTime(signIn.Now);
            await sql.ExecuteAsync("UPDATE users SET failed_login_attempts = 0, last_login = @now WHERE id = @userId",
                P("@userId", signIn.UserId), P("@now", now));
            await sql.ExecuteAsync("DELETE FROM chatbridge_account_lockouts WHERE user_id = @userId", P("@userId", signIn.UserId));
            // The user's lapsed sign-ins go as a new one comes: the table holds live rows, not a history.
            await sql.ExecuteAsync("DELETE FROM user_sessions WHERE user_id = @userId AND expires_at <= @now",
                P("@userId", signIn.UserId), P("@now", now));
            await sql.ExecuteAsync("""
                INSERT INTO user_sessions (id, user_id, session_token, expires_at, ip_address, user_agent, created_at)
                VALUES (@id, @userId, @token, @expiresAt, @ipAddress, @userAgent, @now)
                """,
                P("@id", signIn.SessionId), P("@userId", signIn.UserId), P("@token", signIn.TokenDigest),
                P("@expiresAt", new ControlAppTime(signIn.ExpiresAt)), P("@ipAddress", signIn.IpAddress), P("@userAgent", signIn.UserAgent), P("@now", now));
            foreach (var conversation in signIn.Conversations)
            {
                await sql.ExecuteAsync("""
                    UPDATE web_chat_sessions SET user_id = @userId
                    WHERE session_id = @sessionId AND user_id IS NULL AND (token_hash IS NULL OR token_hash = @tokenHash)
                    """, P("@userId", signIn.UserId), P("@sessionId", conversation.SessionId), P("@tokenHash", conversation.TokenHash));
            }
            return 0;
        }, ct);

    public Task<Account?> FindBySessionAsync(string tokenDigest, DateTimeOffset now, CancellationToken ct) =>
        db.ReadAsync(sql => sql.FirstOrDefaultAsync<Account>($"""
            SELECT {AccountColumns} FROM user_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.session_token = @token AND s.expires_at > @now AND COALESCE(u.is_active, TRUE)
            """, P("@token", tokenDigest), P("@now", new ControlAppTime(now))), ct);

    public Task DeleteSessionAsync(string tokenDigest, CancellationToken ct) =>
        db.RunAsync(sql => sql.ExecuteAsync("DELETE FROM user_sessions WHERE session_token = @token", P("@token", tokenDigest)), ct);

    public Task<(IReadOnlyList<UserConversation> Page, int Total)> ListConversationsAsync(long userId, int limit, int offset, CancellationToken ct) =>
        db.ReadSnapshotAsync<(IReadOnlyList<UserConversation>, int)>(async sql =>
        {
            var total = await sql.ScalarAsync<int>("SELECT COUNT(*) FROM web_chat_sessions WHERE user_id = @userId AND hidden_at IS NULL", P("@userId", userId));
            var rows = await sql.QueryAsync<ConversationRow>("""
                SELECT s.session_id, a.id AS agent_id, a.name AS agent_name, s.created_at, s.last_active,
                    (SELECT m.message FROM web_chat_messages m WHERE m.session_id = s.session_id ORDER BY m.id LIMIT 1) AS first_message,
                    (SELECT m.message FROM web_chat_messages m WHERE m.session_id = s.session_id ORDER BY m.id DESC LIMIT 1) AS last_message,
                    (SELECT m.timestamp FROM web_chat_messages m WHERE m.session_id = s.session_id ORDER BY m.id DESC LIMIT 1) AS last_message_at,
                    (SELECT r.response FROM web_chat_responses r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1) AS last_reply,
                    (SELECT r.timestamp FROM web_chat_responses r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1) AS last_reply_at
                FROM web_chat_sessions s LEFT JOIN agents a ON a.id = s.agent_id
                WHERE s.user_id = @userId AND s.hidden_at IS NULL
                ORDER BY s.last_active DESC, s.id DESC
                LIMIT @limit OFFSET @offset
                """, P("@userId", userId), P("@limit", limit), P("@offset", offset));
            return ([.. rows.Select(r => r.View)], total);
        }, ct);

    public Task<ConversationVisibility?> HideConversationAsync(long userId, string sessionId, bool hidden, DateTimeOffset now, CancellationToken ct) =>
        db.RunAsync(sql => sql.FirstOrDefaultAsync<ConversationVisibility>("""
            UPDATE web_chat_sessions SET hidden_at = CASE WHEN @hidden = 1 THEN COALESCE(hidden_at, @now) ELSE NULL END
            WHERE session_id = @sessionId AND user_id = @userId
            RETURNING hidden_at
            """, P("@hidden", hidden ? 1 : 0), P("@now", now), P("@sessionId", sessionId), P("@userId", userId)), ct);

    private sealed record ConversationRow
    {
        public string SessionId { get; init; } = "";
        public long? AgentId { get; init; }
        public string? AgentName { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset LastActive { get; init; }
        public string? FirstMessage { get; init; }
        public string? LastMessage { get; init; }
        public DateTimeOffset? LastMessageAt { get; init; }
        public string? LastReply { get; init; }
        public DateTimeOffset? LastReplyAt { get; init; }

        /// <summary>The conversation's last word, the person's or the agent's, whichever came later.</summary>
        public UserConversation View
        {
            get
            {
                var replyIsLast = LastReplyAt is { } reply && (LastMessageAt is not { } message || reply >= message);
                return new UserConversation
                {
                    SessionId = SessionId, AgentId = AgentId, AgentName = AgentName, CreatedAt = CreatedAt, LastActive = LastActive,
                    Title = FirstMessage is null ? null : Shorten(FirstMessage),
                    LastMessage = replyIsLast ? LastReply : LastMessage,
                    LastMessageAt = replyIsLast ? LastReplyAt : LastMessageAt,
                };
            }
        }

        private static string Shorten(string text)
        {
            var line = text.ReplaceLineEndings(" ").Trim();
            if (line.Length <= TitleLength)
            {
                return line;
            }
            var cut = TitleLength - 1;
            if (char.IsHighSurrogate(line[cut - 1]))
            {
                cut--; // never cut a surrogate pair in two
            }
            return line[..cut].TrimEnd() + "…";
        }
    }
}
