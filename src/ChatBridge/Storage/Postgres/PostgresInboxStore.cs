using System.Data;
using ChatBridge.Http;
using ChatBridge.Inbox;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// The inbox on PostgreSQL, shared by every instance. A claim locks the rows it picks with <c>FOR UPDATE SKIP LOCKED</c>,
/// so concurrent pollers on any instance each get different messages and none waits for another.
/// </summary>
internal sealed class PostgresInboxStore(NpgsqlDataSource db, TimeProvider time) : IInboxStore
{
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
