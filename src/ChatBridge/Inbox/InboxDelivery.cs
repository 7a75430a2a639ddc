using System.Data.Common;
using ChatBridge.Configuration;
using ChatBridge.Events;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using Microsoft.Extensions.Options;

namespace ChatBridge.Inbox;

/// <summary>
/// At-least-once delivery to Broca. A claim is a lease: the message stays out of the inbox while its poller works
/// on it, and comes back (oldest first, with the same id, text, timestamp and uid) when the lease lapses unanswered
/// or its answer never reached the poller. No message is given up: one that a working Broca keeps leaving unanswered
/// is stuck, handed out after a growing back-off and shown to the admin, until a reply answers it or an admin drops
/// or retries it. Every change of a message's state is told to the session's listeners.
/// </summary>
internal sealed partial class InboxDelivery(
    IInboxStore inbox,
    IRealtimeBus bus,
    TimeProvider time,
    IOptions<ChatBridgeOptions> options,
    BridgeMetrics metrics,
    ILogger<InboxDelivery> logger)
{
    private InboxOptions Leases => options.Value.Inbox;

    /// <param name="agentId">An agent's own Broca key: only that agent's messages; null for every agent's.</param>
    /// <param name="poller">The Broca that asks (see <see cref="Pollers"/>), recorded with each claim.</param>
    public async Task<InboxPage> ClaimAsync(int limit, int offset, DateTimeOffset? since, long? agentId, string poller, CancellationToken ct)
    {
        var page = await inbox.ClaimAsync(limit, offset, since, agentId, poller, time.GetUtcNow() + Leases.ClaimTimeout, ct);
        foreach (var message in page.Messages)
        {
            bus.Publish(new DeliveryEvent(message.SessionId, message.Id, MessageStatus.Delivered, message.DeliveryCount));
        }
        return page;
    }

    /// <summary>
    /// For an answer that could not be written to its poller: its messages are pending again at once. Runs in the
    /// background, since the request it belonged to is gone; if it fails, the lease brings them back instead.
    /// </summary>
    public void Release(IReadOnlyList<InboxMessage> claimed) => _ = ReleaseAsync(claimed);

    private async Task ReleaseAsync(IReadOnlyList<InboxMessage> claimed)
    {
        try
        {
            var released = await inbox.ReleaseClaimsAsync(claimed, CancellationToken.None);
            if (released.Count > 0)
            {
                metrics.Redelivered(released.Count, "answer_lost");
                LogReleased(released.Count);
                Announce(released);
            }
        }
        catch (Exception e) when (e is DbException or IOException or ObjectDisposedException)
        {
            LogReleaseFailed(e);
        }
    }

    /// <summary>Ends the lapsed leases: every message goes back to the inbox; a stuck one after its back-off, and the admin hears of it.</summary>
    public async Task ExpireLeasesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!await inbox.HasExpiredLeasesAsync(now, ct))
        {
            return;
        }
        var expired = await inbox.ExpireLeasesAsync(now, Leases, ct);
        foreach (var change in expired.Where(c => c.Struck))
        {
            if (StuckBackoff.After(change.Strikes, Leases) is { } backoff)
            {
                if (change.Strikes == Leases.MaxDeliveries)
                {
                    metrics.DeliveriesExhausted();
                }
                LogStuck(change.Id, change.SessionId, change.Strikes, backoff);
                bus.Publish(new DeliveryEvent(change.SessionId, change.Id, AdminEventStatus.Exhausted, change.DeliveryCount));
            }
        }
        metrics.Redelivered(expired.Count, "lease_expired");
        Announce(expired);
    }

    /// <summary>An admin's drop: the message leaves the inbox for good; its session's pages and the consoles hear of it.</summary>
    public async Task<SettledMessage> DropAsync(long messageId, CancellationToken ct)
    {
        var settled = await inbox.DropAsync(messageId, time.GetUtcNow(), ct);
        if (settled is { Outcome: SettleOutcome.Done, Message: { } message })
        {
            bus.Publish(new DeliveryEvent(message.SessionId, message.Id, MessageStatus.Dropped, message.DeliveryCount));
        }
        return settled;
    }

    /// <summary>An admin's retry: the message is due at once, and waiting inbox polls wake to claim it.</summary>
    public async Task<SettledMessage> RetryAsync(long messageId, CancellationToken ct)
    {
        var settled = await inbox.RetryAsync(messageId, ct);
        if (settled is { Outcome: SettleOutcome.Done, Message: { } message })
        {
            Announce([message]);
        }
        return settled;
    }

    private void Announce(IReadOnlyList<LeaseChange> pendingAgain)
    {
        if (pendingAgain.Count == 0)
        {
            return;
        }
        foreach (var change in pendingAgain)
        {
            bus.Publish(new DeliveryEvent(change.SessionId, change.Id, MessageStatus.Pending, change.DeliveryCount));
        }
        bus.Publish(InboxRefilledEvent.Instance);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Message {MessageId} of {SessionId} is stuck: {Strikes} times a working Broca left it unanswered; it is handed out again after {Backoff} and waits for an admin to retry or drop it")]
    private partial void LogStuck(long messageId, string sessionId, int strikes, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "An inbox answer did not reach its poller; {Count} messages are pending again")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the claims of an undelivered inbox answer failed; their leases will return them")]
    private partial void LogReleaseFailed(Exception error);
}
