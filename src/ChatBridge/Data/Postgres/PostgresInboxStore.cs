using System.Data;
using Dapper;
using Npgsql;

namespace ChatBridge.Data.Postgres;

/// <summary>
/// The inbox on PostgreSQL, shared by every instance. A claim locks the rows it picks with <c>FOR UPDATE SKIP LOCKED</c>,
/// so concurrent pollers on any instance each get different messages and none waits for another.
/// </summary>
internal sealed class PostgresInboxStore(NpgsqlDataSource db, TimeProvider time) : IInboxStore
{
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

    // The pick is materialized first: as an IN (…) subquery the planner may run it again, and each run skips other
    // rows, so a claim could take more than its limit.
    private const string ClaimMessages = $"""
        WITH picked AS MATERIALIZED (
            SELECT id AS picked_id FROM web_chat_messages
            WHERE processed = 0 AND (@since IS NULL OR timestamp > @since)
            ORDER BY id LIMIT @limit OFFSET @offset
            FOR UPDATE SKIP LOCKED)
        UPDATE web_chat_messages
        SET processed = 1, processed_at = @now, claim_expires_at = @expires, delivery_count = delivery_count + 1
        FROM picked
        WHERE web_chat_messages.id = picked.picked_id
        RETURNING {ChatSql.ClaimedColumns}
        """;

    /// <summary>
    /// Claims, releases and lapses need not wait for the disk, as on SQLite: one lost to a crash only means a message is
    /// handed out again. Everything a client is told is stored keeps the server's <c>synchronous_commit</c>.
    /// </summary>
    private const string RelaxDurability = "SET LOCAL synchronous_commit = off";

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

    public async Task<InboxPage> ClaimAsync(int limit, int offset, string? since, DateTimeOffset leaseEnds, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        await connection.ExecuteAsync(new CommandDefinition(RelaxDurability, transaction: tx, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition(ChatSql.CountUnclaimed, new { since }, tx, cancellationToken: ct));
        var claimed = await connection.QueryAsync<InboxMessage>(new CommandDefinition(ClaimMessages, new
        {
            since,
            limit,
            offset,
            now = Timestamps.Now(time),
            expires = Timestamps.Format(leaseEnds),
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new InboxPage([.. claimed.OrderBy(m => m.Id)], total);
    }

    public async Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RelaxDurability, transaction: tx, cancellationToken: ct));
        List<LeaseChange> released = [];
        foreach (var message in claimed)
        {
            released.AddRange(await connection.QueryAsync<LeaseChange>(new CommandDefinition(
                ChatSql.ReleaseClaim, new { id = message.Id, deliveryCount = message.DeliveryCount }, tx, cancellationToken: ct)));
        }
        await tx.CommitAsync(ct);
        return released;
    }

    public async Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            ChatSql.HasExpiredLeases, new { now = Timestamps.Format(now) }, cancellationToken: ct));
    }

    /// <summary>Every instance sweeps; the rows' locks make each lapse happen (and be announced) by one of them only.</summary>
    public async Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RelaxDurability, transaction: tx, cancellationToken: ct));
        var changes = await connection.QueryAsync<LeaseChange>(new CommandDefinition(
            ChatSql.ExpireLeases, new { now = Timestamps.Format(now), maxDeliveries }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return [.. changes.OrderBy(c => c.Id)];
    }

    public async Task<BacklogCounts> CountBacklogAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<BacklogCounts>(new CommandDefinition(ChatSql.BacklogCounts, cancellationToken: ct));
    }
}
