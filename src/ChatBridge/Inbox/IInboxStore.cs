namespace ChatBridge.Inbox;

/// <summary>User messages on their way to Broca: stored, claimed under a lease, released, lapsed.</summary>
internal interface IInboxStore
{
    /// <summary>
    /// Hands out unclaimed messages oldest first, each exactly once however many pollers (and instances) ask at the same
    /// time, as a lease until <paramref name="leaseEnds"/>. Committed before it returns; a claim need not be durable,
    /// since a claim lost to a power cut only means the message is handed out again. With <paramref name="agentId"/>,
    /// only messages of that agent's sessions.
    /// </summary>
    Task<InboxPage> ClaimAsync(int limit, int offset, DateTimeOffset? since, long? agentId, DateTimeOffset leaseEnds, CancellationToken ct);

    /// <summary>
    /// Takes back claims whose answer never reached the poller: the messages are pending again at once and the failed
    /// hand-out is not counted. A claim that has since lapsed, been answered or been claimed again is left alone.
    /// </summary>
    Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct);

    /// <summary>Whether some lease has lapsed; a read, so that an idle sweep writes nothing.</summary>
    Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Ends the leases that lapsed unanswered: a message handed out fewer than <paramref name="maxDeliveries"/> times
    /// is pending again; one that has had all its deliveries stays delivered, unanswered and out of the inbox.
    /// </summary>
    Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct);

    /// <summary>The counts behind the backlog gauges, read from indexes only.</summary>
    Task<BacklogCounts> CountBacklogAsync(CancellationToken ct);
}
