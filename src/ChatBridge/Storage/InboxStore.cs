using ChatBridge.Configuration;
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
    public Task<InboxPage> ClaimAsync(
        int limit, int offset, DateTimeOffset? since, long? agentId, string poller, DateTimeOffset leaseEnds, CancellationToken ct) =>
        db.RunAsync(async sql =>
        {
            var now = Timestamps.Now(time);
            var total = await sql.ScalarAsync<int>(ChatSql.CountUnclaimed, P("@since", since), P("@agentId", agentId), P("@now", now));
            var claimed = await sql.QueryAsync<InboxMessage>(dialect.ClaimMessages,
                P("@since", since), P("@agentId", agentId), P("@limit", limit), P("@offset", offset),
                P("@now", now), P("@expires", Timestamps.Truncate(leaseEnds)), P("@poller", poller));
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
    /// <remarks>
    /// A stuck message's back-off is set in the same transaction as its lapse, so no claim ever sees it without one.
    /// Lapses are rare (a claim Broca dropped), so one short update per stuck message costs nothing that matters.
    /// </remarks>
    public Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, InboxOptions policy, CancellationToken ct) =>
        db.RunAsync<IReadOnlyList<LeaseChange>>(async sql =>
        {
            var lapsed = await sql.QueryAsync<LeaseChange>(ChatSql.ExpireLeases, P("@now", now));
            foreach (var change in lapsed.Where(c => c.Struck))
            {
                if (StuckBackoff.After(change.Strikes, policy) is { } backoff)
                {
                    await sql.ExecuteAsync(ChatSql.DelayStuck, P("@id", change.Id), P("@notBefore", Timestamps.Truncate(now + backoff)));
                }
            }
            return [.. lapsed.OrderBy(c => c.Id)];
        }, ct, Durability.Committed);

    public Task<SettledMessage> DropAsync(long messageId, DateTimeOffset now, CancellationToken ct) =>
        SettleAsync(messageId, ChatSql.DropMessage, dropIsDone: true, ct, P("@now", Timestamps.Truncate(now)));

    public Task<SettledMessage> RetryAsync(long messageId, CancellationToken ct) =>
        SettleAsync(messageId, ChatSql.RetryMessage, dropIsDone: false, ct);

    /// <summary>Both of an admin's words apply to an unanswered message only; a drop applies to a dropped one by doing nothing.</summary>
    private Task<SettledMessage> SettleAsync(long messageId, string update, bool dropIsDone, CancellationToken ct, params SqlParam[] values) =>
        db.RunAsync(async sql =>
        {
            if (await sql.FirstOrDefaultAsync<Settlement>(ChatSql.MessageSettlement, P("@id", messageId)) is not { } found)
            {
                return new SettledMessage(SettleOutcome.UnknownMessage);
            }
            if (found.Answered)
            {
                return new SettledMessage(SettleOutcome.AlreadyAnswered);
            }
            if (found.Dropped)
            {
                return dropIsDone ? new SettledMessage(SettleOutcome.Done, found.Change) : new SettledMessage(SettleOutcome.AlreadyDropped);
            }
            await sql.ExecuteAsync(update, [P("@id", messageId), .. values]);
            return new SettledMessage(SettleOutcome.Done, found.Change with { Strikes = dropIsDone ? found.Strikes : 0 });
        }, ct, Durability.Synced);

    public Task<BacklogCounts> CountBacklogAsync(CancellationToken ct) =>
        db.ReadAsync(async sql => (await sql.FirstOrDefaultAsync<BacklogCounts>(ChatSql.BacklogCounts))!, ct);

    private sealed record Settlement
    {
        public long Id { get; init; }
        public string SessionId { get; init; } = "";
        public int DeliveryCount { get; init; }
        public int Strikes { get; init; }
        public bool Answered { get; init; }
        public bool Dropped { get; init; }

        public LeaseChange Change => new() { Id = Id, SessionId = SessionId, DeliveryCount = DeliveryCount, Strikes = Strikes };
    }
}
