namespace ChatBridge.Inbox;

/// <summary>User messages on their way to Broca: stored, claimed under a lease, released, lapsed.</summary>
internal interface IInboxStore
{
    /// <summary>
    /// Hands out unclaimed messages oldest first, each exactly once however many pollers (and instances) ask at the same
    /// time, as a lease until <paramref name="leaseEnds"/> held by <paramref name="poller"/> (see <see cref="Pollers"/>).
    /// A stuck message is handed out only once its back-off is over. Committed before it returns; a claim need not be
    /// durable, since a claim lost to a power cut only means the message is handed out again. With
    /// <paramref name="agentId"/>, only messages of that agent's sessions.
    /// </summary>
    Task<InboxPage> ClaimAsync(int limit, int offset, DateTimeOffset? since, long? agentId, string poller, DateTimeOffset leaseEnds, CancellationToken ct);

    /// <summary>
    /// Takes back claims whose answer never reached the poller: the messages are pending again at once and the failed
    /// hand-out is not counted. A claim that has since lapsed, been answered or been claimed again is left alone.
    /// </summary>
    Task<IReadOnlyList<LeaseChange>> ReleaseClaimsAsync(IReadOnlyList<InboxMessage> claimed, CancellationToken ct);

    /// <summary>Whether some lease has lapsed; a read, so that an idle sweep writes nothing.</summary>
    Task<bool> HasExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Ends the leases that lapsed unanswered: every such message is pending again, never given up. A lapse is a strike
    /// when the Broca that held it went on working; a message with <see cref="Configuration.InboxOptions.MaxDeliveries"/>
    /// strikes or more is stuck and waits out its <see cref="StuckBackoff"/> before the next hand-out.
    /// </summary>
    Task<IReadOnlyList<LeaseChange>> ExpireLeasesAsync(DateTimeOffset now, Configuration.InboxOptions policy, CancellationToken ct);

    /// <summary>An admin's word: the message is never handed out again. Dropping a dropped message changes nothing.</summary>
    Task<SettledMessage> DropAsync(long messageId, DateTimeOffset now, CancellationToken ct);

    /// <summary>An admin's word: strikes and back-off are forgotten, so the message is handed out at once.</summary>
    Task<SettledMessage> RetryAsync(long messageId, CancellationToken ct);

    /// <summary>The counts behind the backlog gauges, read from indexes only.</summary>
    Task<BacklogCounts> CountBacklogAsync(CancellationToken ct);
}
