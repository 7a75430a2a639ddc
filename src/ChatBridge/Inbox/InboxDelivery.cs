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
/// or its answer never reached the poller. Every change of a message's state is told to the session's listeners.
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
    public async Task<InboxPage> ClaimAsync(int limit, int offset, DateTimeOffset? since, long? agentId, CancellationToken ct)
    {
        var page = await inbox.ClaimAsync(limit, offset, since, agentId, time.GetUtcNow() + Leases.ClaimTimeout, ct);
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

    /// <summary>Ends the lapsed leases: their messages go back to the inbox, or stay delivered once out of deliveries.</summary>
    public async Task ExpireLeasesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!await inbox.HasExpiredLeasesAsync(now, ct))
        {
            return;
        }
        var expired = await inbox.ExpireLeasesAsync(now, Leases.MaxDeliveries, ct);
        List<LeaseChange> pending = [];
        foreach (var change in expired)
        {
            if (change.DeliveryCount >= Leases.MaxDeliveries)
            {
                metrics.DeliveriesExhausted();
                LogExhausted(change.Id, change.SessionId, change.DeliveryCount);
                bus.Publish(new DeliveryEvent(change.SessionId, change.Id, AdminEventStatus.Exhausted, change.DeliveryCount));
            }
            else
            {
                pending.Add(change);
            }
        }
        metrics.Redelivered(pending.Count, "lease_expired");
        Announce(pending);
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
        Message = "Message {MessageId} of {SessionId} was handed out {Deliveries} times without an answer; it stays delivered and is not handed out again")]
    private partial void LogExhausted(long messageId, string sessionId, int deliveries);

    [LoggerMessage(Level = LogLevel.Information, Message = "An inbox answer did not reach its poller; {Count} messages are pending again")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the claims of an undelivered inbox answer failed; their leases will return them")]
    private partial void LogReleaseFailed(Exception error);
}
