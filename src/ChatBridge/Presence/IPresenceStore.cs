namespace ChatBridge.Presence;

/// <summary>What the bridge keeps of Brocas' polls, and the reply times presence reports.</summary>
internal interface IPresenceStore
{
    /// <summary>Records a Broca's poll: <paramref name="agentKey"/> is its agent, or 0 for the service-wide key.</summary>
    Task SavePollAsync(long agentKey, DateTimeOffset at, double intervalSeconds, CancellationToken ct);

    /// <summary>Every Broca's last recorded poll, as any instance wrote it.</summary>
    Task<IReadOnlyList<BrocaPoll>> ReadPollsAsync(CancellationToken ct);

    /// <summary>Seconds from message to first answer of each message answered since <paramref name="since"/>, by its session's agent.</summary>
    Task<IReadOnlyList<AnswerTime>> AnswerTimesSinceAsync(DateTimeOffset since, CancellationToken ct);

    /// <summary>Messages waiting in the inbox (not claimed, not dropped), by their session's agent (null: no agent).</summary>
    Task<IReadOnlyList<AgentBacklog>> BacklogAsync(CancellationToken ct);
}

internal sealed record BrocaPoll
{
    public long AgentId { get; init; }
    public DateTimeOffset LastPollAt { get; init; }
    public double? IntervalSeconds { get; init; }
}

internal sealed record AnswerTime
{
    public long AgentId { get; init; }
    public double Seconds { get; init; }
}

internal sealed record AgentBacklog
{
    public long? AgentId { get; init; }
    public long Waiting { get; init; }
    public DateTimeOffset? OldestWaitingAt { get; init; }
}
