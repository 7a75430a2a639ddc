using ChatBridge.Data;
using ChatBridge.Http;
using ChatBridge.Inbox;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// User messages on their way to Broca. A claim is one transaction that marks the rows it returns, so concurrent pollers
/// (and instances) never hold a message at once. Claims, releases and lapses are committed but need not wait for the
/// disk: one lost to a power cut only means a message is handed out again, never lost.
/// </summary>
internal sealed class InboxStore(IDatabase db, ISqlDialect dialect, TimeProvider time) : IInboxStore
{
    public Task<InboxPage> ClaimAsync(int limit, int offset, DateTimeOffset? since, long? agentId, DateTimeOffset leaseEnds, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            var total = await sql.ScalarAsync<int>(ChatSql.CountUnclaimed, P("@since", since), P("@agentId", agentId));
            var claimed = await sql.QueryAsync<InboxMessage>(dialect.ClaimMessages,
                P("@since", since), P("@agentId", agentId), P("@limit", limit), P("@offset", offset),
                P("@now", Timestamps.Now(time)), P("@expires", Timestamps.Truncate(leaseEnds)));
            if (claimed.Count == 0)
            {
                return new InboxPage([], total);
            }
            var attachments = AttachmentStore.ByMessage(await sql.QueryAsync<AttachmentRow>(AttachmentSql.OfMessageRange,
                P("@first", claimed.Min(m => m.Id)), P("@last", claimed.Max(m => m.Id))));
            // RETURNING gives rows in no particular order.
            return new InboxPage([.. claimed.OrderBy(m => m.Id).Select(m => m with { Attachments = [.. attachments[m.Id]] })], total);
        }, ct, Durability.Committed);

    public Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct) =>
        db.RunAsync<IReadOnlyList<LeaseChange>>(async sql =>
        {
            List<LeaseChange> released = [];
            foreach (var message in claimed)
            {
                released.AddRange(await sql.QueryAsync<LeaseChange>(ChatSql.ReleaseClaim,
                    P("@id", message.Id), P("@deliveryCount", message.DeliveryCount)));
            }
            return released;
        }, ct, Durability.Committed);

    /// <summary>A read, so that an idle sweep writes nothing.</summary>
    public Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct) =>
        db.ReadAsync(async sql => await sql.ScalarAsync<bool>(ChatSql.HasExpiredLeases, P("@now", now)), ct);

    /// <summary>Every instance sweeps; the rows' locks make each lapse happen (and be announced) by one of them only.</summary>
    public Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct) =>
        db.RunAsync<IReadOnlyList<LeaseChange>>(async sql =>
            [.. (await sql.QueryAsync<LeaseChange>(ChatSql.ExpireLeases, P("@now", now), P("@maxDeliveries", maxDeliveries))).OrderBy(c => c.Id)],
            ct, Durability.Committed);

    public Task<BacklogCounts> CountBacklogAsync(CancellationToken ct) =>
        db.ReadAsync(async sql => (await sql.FirstOrDefaultAsync<BacklogCounts>(ChatSql.BacklogCounts))!, ct);
}
