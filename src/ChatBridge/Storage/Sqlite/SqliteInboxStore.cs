using System.Globalization;
using ChatBridge.Http;
using ChatBridge.Inbox;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// The inbox on SQLite. Every write goes through <see cref="WriteQueue"/>, the single writer, so a claim cannot race
/// another: one transaction marks the rows it returns.
/// </summary>
internal sealed class SqliteInboxStore(Db db, WriteQueue writes, TimeProvider time) : IInboxStore
{
    // RETURNING gives rows in no particular order; the caller sorts them.
    private const string ClaimMessages = $"""
        UPDATE web_chat_messages
        SET processed = 1, processed_at = @now, claim_expires_at = @expires, delivery_count = delivery_count + 1
        WHERE id IN (
            SELECT id FROM web_chat_messages
            WHERE processed = 0 AND (@since IS NULL OR timestamp > @since)
            ORDER BY id LIMIT @limit OFFSET @offset)
        RETURNING {ChatSql.ClaimedColumns}
        """;

    /// <summary>
    /// Broca gets the claim once it is committed, without waiting for the disk: a power cut in that moment means a
    /// message is handed out again, never lost.
    /// </summary>
    public Task<InboxPage> ClaimAsync(int limit, int offset, string? since, DateTimeOffset leaseEnds, CancellationToken ct) =>
        writes.RunAsync(writer =>
        {
            var total = Convert.ToInt32(writer.Statement(ChatSql.CountUnclaimed, ("@since", since)).ExecuteScalar(), CultureInfo.InvariantCulture);
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

    public Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct) =>
        writes.RunAsync<IReadOnlyList<LeaseChange>>(writer =>
        {
            List<LeaseChange> released = [];
            foreach (var message in claimed)
            {
                using var row = writer.Statement(ChatSql.ReleaseClaim, ("@id", message.Id), ("@deliveryCount", message.DeliveryCount)).ExecuteReader();
                released.AddRange(row.Parse<LeaseChange>());
            }
            return released;
        }, ct, Durability.Committed);

    public async Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            ChatSql.HasExpiredLeases, new { now = Timestamps.Format(now) }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct) =>
        writes.RunAsync<IReadOnlyList<LeaseChange>>(writer =>
        {
            using var rows = writer.Statement(ChatSql.ExpireLeases, ("@now", Timestamps.Format(now)), ("@maxDeliveries", maxDeliveries)).ExecuteReader();
            return rows.Parse<LeaseChange>().OrderBy(c => c.Id).ToList();
        }, ct, Durability.Committed);

    public async Task<BacklogCounts> CountBacklogAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleAsync<BacklogCounts>(new CommandDefinition(ChatSql.BacklogCounts, cancellationToken: ct));
    }
}
