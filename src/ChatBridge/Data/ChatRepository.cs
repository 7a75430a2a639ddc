using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using ChatBridge.Observability;
using Dapper;

namespace ChatBridge.Data;

/// <summary>
/// All SQL over the chat tables. Reads run on pooled connections side by side (WAL); every write goes
/// through <see cref="WriteQueue"/>, each one atomic, committed in groups by the single writer.
/// </summary>
internal sealed class ChatRepository(Db db, KeptReaders readers, WriteQueue writes, TimeProvider time, BridgeMetrics metrics)
{
    /// <summary>
    /// A poll refreshes <c>last_active</c> at most this often, so polling is read-only nearly always. Well under
    /// the shortest <c>session_timeout</c> (60 s), so a polled session never looks idle to <c>cleanup</c>.
    /// </summary>
    private static readonly TimeSpan PollTouchInterval = TimeSpan.FromSeconds(15);

    /// <summary>Bounds <see cref="_lastActive"/>; past it the memory starts over, costing one query per session.</summary>
    private const int RememberedSessions = 100_000;

    /// <summary>
    /// The <c>last_active</c> this process last saw or wrote per polled session, so a poll within the touch
    /// interval needs no query at all.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastActive = new(StringComparer.Ordinal);

    private const string SessionSummaryColumns = $"""
        s.session_id AS id, COALESCE(s.uid, '') AS uid, COALESCE(s.created_at, '') AS created_at,
        COALESCE(s.last_active, '') AS last_active, s.ip_address, s.metadata, COALESCE(s.status, 'active') AS status,
        s.user_id, s.agent_id,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id) AS message_count,
        (SELECT COUNT(*) FROM web_chat_responses r WHERE r.session_id = s.session_id) AS response_count,
        (SELECT COUNT(*) FROM web_chat_messages m WHERE m.session_id = s.session_id AND {ExhaustedMessage}) AS exhausted_count
        """;

    /// <summary>
    /// Handed out as often as allowed and never answered: the lease sweep left it delivered with no lease. Messages
    /// claimed before leases existed have no deliveries counted, so they never look exhausted.
    /// </summary>
    private const string ExhaustedMessage =
        "m.processed = 1 AND m.answered_at IS NULL AND m.claim_expires_at IS NULL AND m.delivery_count > 0";

    private const string TranscriptMessageColumns = $"""
        m.id, m.session_id, m.message, m.timestamp, m.processed_at, m.answered_at, m.delivery_count,
        CASE WHEN m.answered_at IS NOT NULL THEN 'answered' WHEN m.processed THEN 'delivered' ELSE 'pending' END AS status,
        {ExhaustedMessage} AS exhausted
        """;

    private const string InsertSessionIfMissing = """
        INSERT INTO web_chat_sessions (session_id, uid, agent_id, ip_address, user_agent, metadata, status, created_at, last_active)
        SELECT @sessionId, @uid, @agentId, @ipAddress, @userAgent, '{}', 'active', @now, @now
        WHERE NOT EXISTS (SELECT 1 FROM web_chat_sessions WHERE session_id = @sessionId)
        """;

    private const string TouchSessionForMessage = """
        UPDATE web_chat_sessions SET last_active = @now, status = 'active', agent_id = COALESCE(@agentId, agent_id)
        WHERE session_id = @sessionId
        RETURNING uid
        """;

    private const string InsertMessage = """
        INSERT INTO web_chat_messages (session_id, message, timestamp, client_timestamp, uid, processed)
        VALUES (@sessionId, @text, @now, @clientTimestamp, @uid, 0)
        RETURNING id
        """;

    /// <summary>The hottest write there is: its statements stay prepared on the writer's connection.</summary>
    /// <param name="whenCommitted">Announces the message once committed; the task completes once it is on disk.</param>
    public Task<StoredMessage> AddMessageAsync(NewMessage message, Action<StoredMessage> whenCommitted, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            var now = Timestamps.Now(time);
            var created = writer.Statement(
                InsertSessionIfMissing,
                ("@sessionId", message.SessionId),
                ("@uid", NewUid()),
                ("@agentId", message.AgentId),
                ("@ipAddress", message.IpAddress),
                ("@userAgent", message.UserAgent),
                ("@now", now)).ExecuteNonQuery() == 1;
            var uid = writer.Statement(
                TouchSessionForMessage,
                ("@sessionId", message.SessionId),
                ("@agentId", message.AgentId),
                ("@now", now)).ExecuteScalar() as string;
            var id = (long)writer.Statement(
                InsertMessage,
                ("@sessionId", message.SessionId),
                ("@text", message.Text),
                ("@now", now),
                ("@clientTimestamp", message.ClientTimestamp),
                ("@uid", uid)).ExecuteScalar()!;
            return new StoredMessage(id, message.SessionId, uid ?? "", created, now);
        }, ct, Durability.Synced, stored =>
        {
            metrics.MessageReceived(message.AgentId);
            whenCommitted(stored);
        });

    /// <summary>
    /// The session's responses after a point, oldest first. An unknown session is created, as the
    /// Flask bridge did, so a client may poll before it has sent anything.
    /// </summary>
    public Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, string? since, long? afterId, string? ipAddress, string? userAgent, CancellationToken ct) =>
        // Every poll runs this: on a kept reader, read by hand, so that neither statement is compiled again.
        readers.ReadAsync<IReadOnlyList<ResponseItem>>(async (reader, token) =>
        {
            await KeepSessionAliveAsync(reader, sessionId, ipAddress, userAgent, token);
            await using var rows = await reader.Statement(SessionResponses, ("@sessionId", sessionId), ("@since", since), ("@afterId", afterId))
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

    private const string SessionResponses = """
        SELECT id, response, timestamp, message_id, author FROM web_chat_responses
        WHERE session_id = @sessionId
          AND (@since IS NULL OR timestamp > @since)
          AND (@afterId IS NULL OR id > @afterId)
        ORDER BY id
        """;

    private async Task KeepSessionAliveAsync(
        KeptReader reader, string sessionId, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_lastActive.TryGetValue(sessionId, out var seen) && now - seen < PollTouchInterval)
        {
            return;
        }
        var lastActive = await reader.Statement(
            "SELECT COALESCE(last_active, '') FROM web_chat_sessions WHERE session_id = @sessionId LIMIT 1",
            ("@sessionId", sessionId)).ExecuteScalarAsync(ct) as string;
        if (lastActive is null)
        {
            await writes.RunAsync(writer => writer.Connection.Execute(InsertSessionIfMissing, new
            {
                sessionId,
                uid = NewUid(),
                agentId = (long?)null,
                ipAddress,
                userAgent,
                now = Timestamps.Format(now),
            }, writer.Transaction), ct, Durability.Committed);
            Remember(sessionId, now);
        }
        else if (Timestamps.TryParse(lastActive, out var stored) && now - stored < PollTouchInterval)
        {
            Remember(sessionId, stored);
        }
        else
        {
            await writes.RunAsync(writer => writer.Connection.Execute(
                "UPDATE web_chat_sessions SET last_active = @now WHERE session_id = @sessionId AND last_active < @now",
                new { sessionId, now = Timestamps.Format(now) }, writer.Transaction), ct, Durability.Committed);
            Remember(sessionId, now);
        }
    }

    private void Remember(string sessionId, DateTimeOffset lastActive)
    {
        if (_lastActive.Count >= RememberedSessions)
        {
            _lastActive.Clear();
        }
        _lastActive[sessionId] = lastActive;
    }

    private const string CountUnclaimed =
        "SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0 AND (@since IS NULL OR timestamp > @since)";

    // RETURNING gives rows in no particular order; the caller sorts them.
    private const string ClaimMessages = """
        UPDATE web_chat_messages
        SET processed = 1, processed_at = @now, claim_expires_at = @expires, delivery_count = delivery_count + 1
        WHERE id IN (
            SELECT id FROM web_chat_messages
            WHERE processed = 0 AND (@since IS NULL OR timestamp > @since)
            ORDER BY id LIMIT @limit OFFSET @offset)
        RETURNING id, session_id, message, timestamp,
            COALESCE((SELECT s.uid FROM web_chat_sessions s WHERE s.session_id = web_chat_messages.session_id), uid, '') AS uid,
            (SELECT s.agent_id FROM web_chat_sessions s WHERE s.session_id = web_chat_messages.session_id) AS agent_id,
            delivery_count
        """;

    /// <summary>
    /// Hands out unprocessed messages oldest first and marks them processed in the same transaction, so concurrent
    /// pollers never receive the same message twice. Each claim is a lease until <paramref name="leaseEnds"/>: a message
    /// still unanswered then is returned to the inbox by <see cref="ExpireLeasesAsync"/>, so a poller that dropped it
    /// loses nothing. Broca gets them once the claim is committed, without waiting for the disk: a power cut in that
    /// moment means a message is handed out again, never lost.
    /// </summary>
    public Task<InboxPage> ClaimInboxAsync(int limit, int offset, string? since, DateTimeOffset leaseEnds, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            var total = Convert.ToInt32(writer.Statement(CountUnclaimed, ("@since", since)).ExecuteScalar(), CultureInfo.InvariantCulture);
            using var claimed = writer.Statement(
                ClaimMessages,
                ("@since", since),
                ("@limit", limit),
                ("@offset", offset),
                ("@now", Timestamps.Now(time)),
                ("@expires", Timestamps.Format(leaseEnds))).ExecuteReader();
            var messages = claimed.Parse<InboxMessage>().OrderBy(m => m.Id).ToList();
            return new InboxPage(messages, total);
        }, ct, Durability.Committed);

    /// <summary>
    /// Takes back claims whose answer never reached the poller: the messages are pending again at once and the
    /// failed hand-out is not counted. A claim that has since lapsed, been answered or been claimed again is left alone.
    /// </summary>
    public Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct) =>
        writes.RunAsync<IReadOnlyList<LeaseChange>>(writer =>
        {
            List<LeaseChange> released = [];
            foreach (var message in claimed)
            {
                using var row = writer.Statement("""
                    UPDATE web_chat_messages SET processed = 0, claim_expires_at = NULL, delivery_count = delivery_count - 1
                    WHERE id = @id AND delivery_count = @deliveryCount AND claim_expires_at IS NOT NULL AND answered_at IS NULL
                    RETURNING id, session_id, delivery_count
                    """, ("@id", message.Id), ("@deliveryCount", message.DeliveryCount)).ExecuteReader();
                released.AddRange(row.Parse<LeaseChange>());
            }
            return released;
        }, ct, Durability.Committed);

    /// <summary>Whether some lease has lapsed; a read, so that an idle sweep never takes the writer.</summary>
    public async Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(Command(
            "SELECT EXISTS (SELECT 1 FROM web_chat_messages WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now)",
            new { now = Timestamps.Format(now) }, ct: ct));
    }

    /// <summary>
    /// Ends the leases that lapsed unanswered: a message handed out fewer than <paramref name="maxDeliveries"/> times
    /// is pending again; one that has had all its deliveries stays delivered, unanswered and out of the inbox.
    /// </summary>
    public Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct) =>
        writes.RunAsync<IReadOnlyList<LeaseChange>>(writer =>
        {
            using var rows = writer.Statement("""
                UPDATE web_chat_messages
                SET processed = CASE WHEN delivery_count < @maxDeliveries THEN 0 ELSE 1 END, claim_expires_at = NULL
                WHERE claim_expires_at IS NOT NULL AND claim_expires_at <= @now AND answered_at IS NULL
                RETURNING id, session_id, delivery_count
                """, ("@now", Timestamps.Format(now)), ("@maxDeliveries", maxDeliveries)).ExecuteReader();
            return rows.Parse<LeaseChange>().OrderBy(c => c.Id).ToList();
        }, ct, Durability.Committed);

    /// <summary>No row for an unknown session; a row holding NULL for a session without an agent.</summary>
    private const string SessionAgent = "SELECT agent_id FROM web_chat_sessions WHERE session_id = @sessionId";

    private const string MessageInSession = "SELECT EXISTS (SELECT 1 FROM web_chat_messages WHERE id = @messageId AND session_id = @sessionId)";

    // A message handed out before counts even when its lease has lapsed since: the agent may just be slow.
    private const string OldestUnanswered = """
        SELECT id FROM web_chat_messages
        WHERE session_id = @sessionId AND (processed = 1 OR delivery_count > 0) AND answered_at IS NULL
        ORDER BY id LIMIT 1
        """;

    private const string InsertResponse = """
        INSERT INTO web_chat_responses (session_id, message_id, response, response_id, status, timestamp, author)
        VALUES (@sessionId, @messageId, @text, 'resp_' || lower(hex(randomblob(8))), 'sent', @now, @author)
        RETURNING id
        """;

    // An answer ends the lease; a message that went back to the inbox after it was handed out leaves it again.
    private const string MarkAnswered = """
        UPDATE web_chat_messages
        SET answered_at = COALESCE(answered_at, @now), claim_expires_at = NULL,
            processed = CASE WHEN delivery_count > 0 THEN 1 ELSE processed END
        WHERE id = @messageId;
        UPDATE web_chat_sessions SET last_active = @now WHERE session_id = @sessionId;
        """;

    /// <summary>
    /// Stores a reply, an agent's or a person's. Without an explicit <c>message_id</c> the reply answers the session's
    /// oldest delivered, unanswered message, since Broca answers messages in the order it claims them.
    /// </summary>
    /// <param name="whenCommitted">Announces the reply once committed, if it was stored; the task completes once it is on disk.</param>
    public Task<StoredResponse> AddResponseAsync(NewResponse response, Action<StoredResponse> whenCommitted, CancellationToken ct)
    {
        long? agentId = null;
        return writes.RunAsync(writer =>
        {
            var sessionId = response.SessionId;
            var agent = writer.Statement(SessionAgent, ("@sessionId", sessionId)).ExecuteScalar();
            if (agent is null)
            {
                return new StoredResponse(ResponseOutcome.UnknownSession);
            }
            agentId = agent as long?;
            long? messageId = response.MessageId;
            if (messageId is not null)
            {
                if (!IsTrue(writer.Statement(MessageInSession, ("@messageId", messageId), ("@sessionId", sessionId)).ExecuteScalar()))
                {
                    return new StoredResponse(ResponseOutcome.UnknownMessage);
                }
            }
            else
            {
                messageId = writer.Statement(OldestUnanswered, ("@sessionId", sessionId)).ExecuteScalar() as long?;
            }
            var now = Timestamps.Now(time);
            var id = (long)writer.Statement(
                InsertResponse,
                ("@sessionId", sessionId),
                ("@messageId", messageId),
                ("@text", response.Text),
                ("@now", now),
                ("@author", response.Author)).ExecuteScalar()!;
            writer.Statement(MarkAnswered, ("@messageId", messageId), ("@sessionId", sessionId), ("@now", now)).ExecuteNonQuery();
            return new StoredResponse(ResponseOutcome.Stored, id, now, messageId);
        }, ct, Durability.Synced, stored =>
        {
            if (stored.Outcome == ResponseOutcome.Stored)
            {
                metrics.ReplySent(agentId);
                whenCommitted(stored);
            }
        });
    }

    private static bool IsTrue(object? scalar) => scalar is long value && value != 0;

    public async Task<bool> SessionExistsAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(Command(
            "SELECT EXISTS (SELECT 1 FROM web_chat_sessions WHERE session_id = @sessionId)",
            new { sessionId }, ct: ct));
    }

    // Each filter is off when its parameter is null (or waiting is 0), so one plain statement serves every combination.
    private const string SessionFilters = """
        (@activeSince IS NULL OR s.last_active >= @activeSince)
        AND (@agentId IS NULL OR s.agent_id = @agentId)
        AND (@waiting = 0 OR EXISTS (SELECT 1 FROM web_chat_messages w WHERE w.session_id = s.session_id AND w.answered_at IS NULL))
        AND (@pattern IS NULL
             OR s.session_id LIKE @pattern ESCAPE '\' OR s.uid LIKE @pattern ESCAPE '\'
             OR EXISTS (SELECT 1 FROM web_chat_messages t WHERE t.session_id = s.session_id AND t.message LIKE @pattern ESCAPE '\')
             OR EXISTS (SELECT 1 FROM web_chat_responses t WHERE t.session_id = s.session_id AND t.response LIKE @pattern ESCAPE '\'))
        """;

    /// <summary>Sessions newest activity first, narrowed by <paramref name="filter"/>.</summary>
    public async Task<SessionPage> ListSessionsAsync(SessionFilter filter, int limit, int offset, CancellationToken ct)
    {
        var parameters = new
        {
            activeSince = filter.ActiveSince,
            agentId = filter.AgentId,
            waiting = filter.Waiting,
            pattern = filter.Text is { } text ? $"%{EscapeLike(text)}%" : null,
            limit,
            offset,
        };
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var total = await connection.ExecuteScalarAsync<int>(Command(
            $"SELECT COUNT(*) FROM web_chat_sessions s WHERE {SessionFilters}", parameters, tx, ct));
        var sessions = await connection.QueryAsync<SessionSummary>(Command($"""
            SELECT {SessionSummaryColumns}
            FROM web_chat_sessions s
            WHERE {SessionFilters}
            ORDER BY s.last_active DESC, s.id DESC
            LIMIT @limit OFFSET @offset
            """, parameters, tx, ct));
        return new SessionPage(sessions.AsList(), total);
    }

    /// <summary>Makes <c>%</c>, <c>_</c> and the escape character itself match literally in a <c>LIKE … ESCAPE '\'</c>.</summary>
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>
    /// Messages no reply has answered yet, oldest first, with their age at <paramref name="now"/> in whole seconds:
    /// pending, delivered, and exhausted (handed out as often as allowed), which only a person can still answer.
    /// </summary>
    public async Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var total = await connection.ExecuteScalarAsync<int>(Command(
            "SELECT COUNT(*) FROM web_chat_messages WHERE answered_at IS NULL", null, tx, ct));
        var messages = await connection.QueryAsync<BacklogMessage>(Command($"""
            SELECT {TranscriptMessageColumns}, s.uid, s.agent_id,
                   MAX(0, CAST(ROUND((julianday(@now) - julianday(m.timestamp)) * 86400) AS INTEGER)) AS age_seconds
            FROM web_chat_messages m
            JOIN web_chat_sessions s ON s.session_id = m.session_id
            WHERE m.answered_at IS NULL
            ORDER BY m.id
            LIMIT @limit OFFSET @offset
            """, new { now = Timestamps.Format(now), limit, offset }, tx, ct));
        return new BacklogPage(messages.AsList(), total);
    }

    /// <summary>Everything stored for one session, or null when there is no such session.</summary>
    public async Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: true);
        var session = await connection.QueryFirstOrDefaultAsync<SessionSummary>(Command(
            $"SELECT {SessionSummaryColumns} FROM web_chat_sessions s WHERE s.session_id = @sessionId",
            new { sessionId }, tx, ct));
        if (session is null)
        {
            return null;
        }
        var (messages, responses) = await ReadConversationAsync(connection, tx, sessionId, afterId: null, ct);
        return new Transcript(session, messages, responses);
    }

    /// <summary>A session's own messages (with delivery state) and responses after an id, oldest first.</summary>
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
        var messages = await connection.QueryAsync<TranscriptMessage>(Command($"""
            SELECT {TranscriptMessageColumns} FROM web_chat_messages m
            WHERE m.session_id = @sessionId AND (@afterId IS NULL OR m.id > @afterId)
            ORDER BY m.id
            """, new { sessionId, afterId }, tx, ct));
        var responses = await connection.QueryAsync<ResponseItem>(Command("""
            SELECT id, response, timestamp, message_id, author FROM web_chat_responses
            WHERE session_id = @sessionId AND (@afterId IS NULL OR id > @afterId)
            ORDER BY id
            """, new { sessionId, afterId }, tx, ct));
        return (messages.AsList(), responses.AsList());
    }

    /// <summary>
    /// Deletes sessions idle since before <paramref name="idleBefore"/> with their messages and responses,
    /// except those holding a message Broca has not picked up yet or may still be handed again (a live lease). Children are deleted explicitly because
    /// chat tables inherited from an older schema may lack ON DELETE CASCADE.
    /// </summary>
    public Task<int> DeleteIdleSessionsAsync(string idleBefore, CancellationToken ct)
    {
        const string IdleSessions = """
            SELECT s.session_id FROM web_chat_sessions s
            WHERE s.last_active < @idleBefore
              AND NOT EXISTS (SELECT 1 FROM web_chat_messages m
                              WHERE m.session_id = s.session_id AND (m.processed = 0 OR m.claim_expires_at IS NOT NULL))
            """;
        return writes.RunAsync(writer =>
        {
            writer.Connection.Execute($"""
                DELETE FROM web_chat_responses WHERE session_id IN ({IdleSessions});
                DELETE FROM web_chat_messages WHERE session_id IN ({IdleSessions});
                """, new { idleBefore }, writer.Transaction);
            return writer.Connection.Execute($"DELETE FROM web_chat_sessions WHERE session_id IN ({IdleSessions})", new { idleBefore }, writer.Transaction);
        }, ct);
    }

    /// <summary>Deletes every chat row; the control app's tables are not touched.</summary>
    public async Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct)
    {
        var remaining = await writes.RunAsync(writer =>
        {
            writer.Connection.Execute("""
                DELETE FROM web_chat_responses;
                DELETE FROM web_chat_messages;
                DELETE FROM web_chat_sessions;
                DELETE FROM rate_limits;
                """, transaction: writer.Transaction);
            return writer.Connection.QuerySingle<RemainingData>("""
                SELECT (SELECT COUNT(*) FROM web_chat_responses) AS responses,
                       (SELECT COUNT(*) FROM web_chat_messages) AS messages,
                       (SELECT COUNT(*) FROM web_chat_sessions) AS sessions
                """, transaction: writer.Transaction);
        }, ct);
        // Polls on the deleted sessions must find out (and recreate them) rather than trust the memory.
        _lastActive.Clear();
        return remaining;
    }

    public async Task<IReadOnlyList<Agent>> GetActiveAgentsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var agents = await connection.QueryAsync<Agent>(Command(
            "SELECT id, name, description, status FROM agents WHERE status = 'active' ORDER BY name, id",
            null, ct: ct));
        return agents.AsList();
    }

    public async Task<bool> IsActiveAgentAsync(long agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(Command(
            "SELECT EXISTS (SELECT 1 FROM agents WHERE id = @agentId AND status = 'active')",
            new { agentId }, ct: ct));
    }

    /// <summary>A session's public handle: 16 lowercase hex characters from the system's cryptographic RNG.</summary>
    private static string NewUid() => RandomNumberGenerator.GetHexString(16, lowercase: true);

    private static CommandDefinition Command(string sql, object? parameters, DbTransaction? tx = null, CancellationToken ct = default) =>
        new(sql, parameters, tx, cancellationToken: ct);
}
