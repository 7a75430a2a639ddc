using System.Data.Common;
using ChatBridge.Admin;
using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Conversations on SQLite. Reads run on pooled connections side by side (WAL); the poll, which runs most, reads on a
/// kept connection with its statements prepared, and touches the session only when its activity time is stale.
/// </summary>
internal sealed class SqliteSessionStore(Db db, KeptReaders readers, WriteQueue writes, PollTouches touches, TimeProvider time) : ISessionStore, IAdminStore
{
    public const string InsertSessionIfMissing = """
        INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active)
        SELECT @sessionId, @uid, @agentId, @ipAddress, @userAgent, '{}', 'active', @now, @now
        WHERE NOT EXISTS (SELECT 1 FROM web_chat_sessions WHERE session_id = @sessionId)
        """;

    // agent_id is set apart, and only when it changes: SQLite rewrites an index entry whenever its column is
    // assigned, even to the value it holds, and rewriting idx_web_chat_sessions_agent on every message took w2 from
    // 8.2 to 11.4 pages written to the log per message.
    private const string TouchSessionForMessage = """
        UPDATE web_chat_sessions SET last_active = @now, status = 'active'
        WHERE session_id = @sessionId
        RETURNING uid
        """;

    private const string SetSessionAgent = """
        UPDATE web_chat_sessions SET agent_id = @agentId
        WHERE session_id = @sessionId AND (agent_id IS NULL OR agent_id <> @agentId)
        """;

    /// <summary>The hottest write there is: its statements stay prepared on the writer's connection.</summary>
    public Task<Written<StoredMessage>> AddMessageAsync(NewMessage message, CancellationToken ct) =>
        writes.WriteAsync(writer =>
        {
            var now = Timestamps.Now(time);
            var created = writer.Statement(
                InsertSessionIfMissing,
                ("@sessionId", message.SessionId),
                ("@uid", ChatSql.NewUid()),
                ("@agentId", message.AgentId),
                ("@ipAddress", message.IpAddress),
                ("@userAgent", message.UserAgent),
                ("@now", now)).ExecuteNonQuery() == 1;
            var uid = writer.Statement(
                TouchSessionForMessage,
                ("@sessionId", message.SessionId),
                ("@now", now)).ExecuteScalar() as string;
            if (message.AgentId is { } agentId && !created)
            {
                writer.Statement(SetSessionAgent, ("@sessionId", message.SessionId), ("@agentId", agentId)).ExecuteNonQuery();
            }
            var id = (long)writer.Statement(
                ChatSql.InsertMessage,
                ("@sessionId", message.SessionId),
                ("@text", message.Text),
                ("@now", now),
                ("@clientTimestamp", message.ClientTimestamp),
                ("@uid", uid)).ExecuteScalar()!;
            return new StoredMessage(id, message.SessionId, uid ?? "", created, now);
        }, Durability.Synced, ct);

    public Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, string? since, long? afterId, string? ipAddress, string? userAgent, CancellationToken ct) =>
        // Every poll runs this: on a kept reader, read by hand, so that neither statement is compiled again.
        readers.ReadAsync<IReadOnlyList<ResponseItem>>(async (reader, token) =>
        {
            await KeepSessionAliveAsync(reader, sessionId, ipAddress, userAgent, token);
            await using var rows = await reader.Statement(ChatSql.SessionResponses, ("@sessionId", sessionId), ("@since", since), ("@afterId", afterId))
                .ExecuteReaderAsync(token);
            var found = new List<ResponseItem>();
            while (await rows.ReadAsync(token))
            {
                found.Add(new ResponseItem
                {
                    Id = rows.GetInt64(0),
                    Response = rows.GetString(1),
                    Timestamp = rows.GetString(2),
                    MessageId = rows.IsDBNull(3) ? null : rows.GetInt64(3),
                    Author = rows.GetString(4),
                });
            }
            return found;
        }, ct);

    private async Task KeepSessionAliveAsync(
        KeptReader reader, string sessionId, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (touches.IsFresh(sessionId, now))
        {
            return;
        }
        var lastActive = await reader.Statement(ChatSql.SessionLastActive, ("@sessionId", sessionId)).ExecuteScalarAsync(ct) as string;
        switch (touches.Decide(sessionId, lastActive, now))
        {
            case PollTouch.Create:
                await writes.RunAsync(writer => writer.Connection.Execute(InsertSessionIfMissing, new
                {
                    sessionId,
                    uid = ChatSql.NewUid(),
                    agentId = (long?)null,
                    ipAddress,
                    userAgent,
                    now = Timestamps.Format(now),
                }, writer.Transaction), ct, Durability.Committed);
                touches.Touched(sessionId, now);
                break;
            case PollTouch.Refresh:
                await writes.RunAsync(writer => writer.Connection.Execute(
                    ChatSql.TouchSession, new { sessionId, now = Timestamps.Format(now) }, writer.Transaction), ct, Durability.Committed);
                touches.Touched(sessionId, now);
                break;
        }
    }

    public async Task<bool> SessionExistsAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(Command(ChatSql.SessionExists, new { sessionId }, ct: ct));
    }

    public async Task<long> CountSessionsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(Command(ChatSql.CountAllSessions, null, ct: ct));
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var total = await connection.ExecuteScalarAsync<int>(Command(ChatSql.CountSessions("LIKE"), parameters, tx, ct));
        var sessions = await connection.QueryAsync<SessionSummary>(Command(ChatSql.ListSessions("LIKE"), parameters, tx, ct));
        return new SessionPage(sessions.AsList(), total);
    }

    public async Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var total = await connection.ExecuteScalarAsync<int>(Command(ChatSql.CountUnanswered, null, tx, ct));
        var messages = await connection.QueryAsync<BacklogMessage>(Command(ChatSql.UnansweredMessages, new { limit, offset }, tx, ct));
        return new BacklogPage([.. messages.Select(m => m.AgedAt(now))], total);
    }

    public async Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        return await ReadConversationAsync(connection, tx, sessionId, afterId, ct);
    }

    private static async Task<(IReadOnlyList<TranscriptMessage>, IReadOnlyList<ResponseItem>)> ReadConversationAsync(
        DbConnection connection, DbTransaction tx, string sessionId, long? afterId, CancellationToken ct)
    {
        var messages = await connection.QueryAsync<TranscriptMessage>(Command(ChatSql.ConversationMessages, new { sessionId, afterId }, tx, ct));
        var responses = await connection.QueryAsync<ResponseItem>(Command(ChatSql.ConversationResponses, new { sessionId, afterId }, tx, ct));
        return (messages.AsList(), responses.AsList());
    }

    public Task<int> DeleteIdleSessionsAsync(string idleBefore, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            writer.Connection.Execute(ChatSql.DeleteIdleChildren, new { idleBefore }, writer.Transaction);
            return writer.Connection.Execute(ChatSql.DeleteIdleSessions, new { idleBefore }, writer.Transaction);
        }, ct);

    public async Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct)
    {
        var remaining = await writes.RunAsync(writer =>
        {
            writer.Connection.Execute(ChatSql.DeleteAllChatData, transaction: writer.Transaction);
            return writer.Connection.QuerySingle<RemainingData>(ChatSql.RemainingChatData, transaction: writer.Transaction);
        }, ct);
        touches.Forget();
        return remaining;
    }

    private static CommandDefinition Command(string sql, object? parameters, DbTransaction? tx = null, CancellationToken ct = default) =>
        new(sql, parameters, tx, cancellationToken: ct);
}
