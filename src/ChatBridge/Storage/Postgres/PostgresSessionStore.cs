using System.Data;
using System.Data.Common;
using ChatBridge.Admin;
using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Conversations on PostgreSQL. Reads that answer with a count and a page run in one repeatable-read snapshot, so the
/// two agree as they do on SQLite.
/// </summary>
internal sealed class PostgresSessionStore(NpgsqlDataSource db, PollTouches touches, TimeProvider time) : ISessionStore, IAdminStore
{
    private const string CreateSession = """
        INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active)
        VALUES (@sessionId, @uid, NULL, @ipAddress, @userAgent, '{}', 'active', @now, @now)
        ON CONFLICT (session_id) DO NOTHING
        """;

    /// <summary>Also clears the shared rate-limit counters, which only PostgreSQL keeps in the database.</summary>
    private const string DeleteAllChatData = ChatSql.DeleteAllChatData + "\nDELETE FROM bridge_rate_counters;";

    // One statement, one round trip: the session is created (or touched) and the message stored together. The touch
    // sees the statement's snapshot, so for a new session it finds nothing and the new row's uid is taken instead.
    private const string StoreMessage = """
        WITH created AS (
            INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active)
            VALUES (@sessionId, @uid, @agentId, @ipAddress, @userAgent, '{}', 'active', @now, @now)
            ON CONFLICT (session_id) DO NOTHING
            RETURNING uid),
        touched AS (
            UPDATE web_chat_sessions SET last_active = @now, status = 'active', agent_id = COALESCE(@agentId, agent_id)
            WHERE session_id = @sessionId
            RETURNING uid)
        INSERT INTO web_chat_messages (session_id, message, timestamp, client_timestamp, uid, processed)
        VALUES (@sessionId, @text, @now, @clientTimestamp, COALESCE((SELECT uid FROM created), (SELECT uid FROM touched)), 0)
        RETURNING id, COALESCE(uid, '') AS uid, EXISTS (SELECT 1 FROM created) AS created
        """;

    // A message whose session another instance created in the same instant: its uid is read once that has committed.
    private const string SessionUid = "SELECT uid FROM web_chat_sessions WHERE session_id = @sessionId";

    public async Task<Written<StoredMessage>> AddMessageAsync(NewMessage message, CancellationToken ct)
    {
        var now = Timestamps.Now(time);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleAsync<(long Id, string Uid, bool Created)>(new CommandDefinition(StoreMessage, new
        {
            sessionId = message.SessionId,
            uid = ChatSql.NewUid(),
            agentId = message.AgentId,
            ipAddress = message.IpAddress,
            userAgent = message.UserAgent,
            now,
            text = message.Text,
            clientTimestamp = message.ClientTimestamp,
        }, cancellationToken: ct));
        var uid = row.Uid.Length > 0
            ? row.Uid
            : await connection.ExecuteScalarAsync<string>(new CommandDefinition(SessionUid, new { sessionId = message.SessionId }, cancellationToken: ct)) ?? "";
        return Written<StoredMessage>.Durably(new StoredMessage(row.Id, message.SessionId, uid, row.Created, now));
    }

    public async Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, string? since, long? afterId, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await KeepSessionAliveAsync(connection, sessionId, ipAddress, userAgent, ct);
        var responses = await connection.QueryAsync<ResponseItem>(new CommandDefinition(
            ChatSql.SessionResponses, new { sessionId, since, afterId }, cancellationToken: ct));
        return responses.AsList();
    }

    private async Task KeepSessionAliveAsync(NpgsqlConnection connection, string sessionId, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (touches.IsFresh(sessionId, now))
        {
            return;
        }
        var lastActive = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(ChatSql.SessionLastActive, new { sessionId }, cancellationToken: ct));
        var touch = touches.Decide(sessionId, lastActive, now);
        if (touch == PollTouch.None)
        {
            return;
        }
        var sql = touch == PollTouch.Create ? CreateSession : ChatSql.TouchSession;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            sessionId,
            uid = ChatSql.NewUid(),
            ipAddress,
            userAgent,
            now = Timestamps.Format(now),
        }, cancellationToken: ct));
        touches.Touched(sessionId, now);
    }

    public async Task<bool> SessionExistsAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ChatSql.SessionExists, new { sessionId }, cancellationToken: ct));
    }

    public async Task<long> CountSessionsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(ChatSql.CountAllSessions, cancellationToken: ct));
    }

    public async Task<SessionPage> ListSessionsAsync(SessionFilter filter, int limit, int offset, CancellationToken ct)
    {
        var parameters = new
        {
            activeSince = filter.ActiveSince,
            agentId = filter.AgentId,
            waiting = filter.Waiting ? 1 : 0,
            pattern = ChatSql.LikePattern(filter.Text),
            limit,
            offset,
        };
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var total = await connection.ExecuteScalarAsync<int>(Command(ChatSql.CountSessions("ILIKE"), parameters, tx, ct));
        var sessions = await connection.QueryAsync<SessionSummary>(Command(ChatSql.ListSessions("ILIKE"), parameters, tx, ct));
        return new SessionPage(sessions.AsList(), total);
    }

    public async Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var total = await connection.ExecuteScalarAsync<int>(Command(ChatSql.CountUnanswered, null, tx, ct));
        var messages = await connection.QueryAsync<BacklogMessage>(Command(ChatSql.UnansweredMessages, new { limit, offset }, tx, ct));
        return new BacklogPage([.. messages.Select(m => m.AgedAt(now))], total);
    }

    public async Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var session = await connection.QueryFirstOrDefaultAsync<SessionSummary>(Command(ChatSql.SessionSummary, new { sessionId }, tx, ct));
        if (session is null)
        {
            return null;
        }
        var (messages, responses) = await ReadConversationAsync(connection, tx, sessionId, afterId: null, ct);
        return new Transcript(session, messages, responses);
    }

    public async Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ResponseItem> Responses)> GetHistoryAsync(
        string sessionId, long? afterId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        return await ReadConversationAsync(connection, tx, sessionId, afterId, ct);
    }

    private static async Task<(IReadOnlyList<TranscriptMessage>, IReadOnlyList<ResponseItem>)> ReadConversationAsync(
        DbConnection connection, DbTransaction tx, string sessionId, long? afterId, CancellationToken ct)
    {
        var messages = await connection.QueryAsync<TranscriptMessage>(Command(ChatSql.ConversationMessages, new { sessionId, afterId }, tx, ct));
        var responses = await connection.QueryAsync<ResponseItem>(Command(ChatSql.ConversationResponses, new { sessionId, afterId }, tx, ct));
        return (messages.AsList(), responses.AsList());
    }

    public async Task<int> DeleteIdleSessionsAsync(string idleBefore, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(Command(ChatSql.DeleteIdleChildren, new { idleBefore }, tx, ct));
        var deleted = await connection.ExecuteAsync(Command(ChatSql.DeleteIdleSessions, new { idleBefore }, tx, ct));
        await tx.CommitAsync(ct);
        return deleted;
    }

    public async Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(Command(DeleteAllChatData, null, tx, ct));
        var remaining = await connection.QuerySingleAsync<RemainingData>(Command(ChatSql.RemainingChatData, null, tx, ct));
        await tx.CommitAsync(ct);
        touches.Forget();
        return remaining;
    }

    private static CommandDefinition Command(string sql, object? parameters, DbTransaction tx, CancellationToken ct) =>
        new(sql, parameters, tx, cancellationToken: ct);
}
