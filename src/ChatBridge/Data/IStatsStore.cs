namespace ChatBridge.Data;

/// <summary>The figures of the admin's dashboard: activity, reply latency and the backlog, counted by the database.</summary>
internal interface IStatsStore
{
    /// <summary>Everything in one read, so the series and the backlog describe the same moment.</summary>
    Task<StatsRows> ReadAsync(StatsWindow window, CancellationToken ct);
}

/// <summary>Where the series start, in the stored timestamp form: the first hour bucket's and the first day bucket's start.</summary>
internal sealed record StatsWindow(string HourlyFrom, string DailyFrom);

/// <summary>
/// What the database counted. Buckets are named by the timestamp's prefix (an hour <c>2026-11-24T10</c>, a day
/// <c>2026-11-24</c>) and only those holding something are listed; filling the gaps is the caller's.
/// </summary>
internal sealed record StatsRows(
    IReadOnlyList<ActivityCount> Hourly,
    IReadOnlyList<ActivityCount> Daily,
    IReadOnlyList<LatencyCount> Latency,
    BacklogCount Backlog);

internal sealed record ActivityCount
{
    public required string Bucket { get; init; }

    public long Messages { get; init; }

    public long Replies { get; init; }
}

/// <summary>
/// Reply latency of the messages sent on one day and answered: over all of them when <see cref="AgentId"/> is null,
/// else over those in sessions with that agent. Percentiles by nearest rank, in seconds.
/// </summary>
internal sealed record LatencyCount
{
    public required string Day { get; init; }

    public long? AgentId { get; init; }

    public long Answered { get; init; }

    public double P50Seconds { get; init; }

    public double P95Seconds { get; init; }
}

/// <summary>Messages no reply has answered yet, and when the oldest of them was sent.</summary>
internal sealed record BacklogCount
{
    public long Waiting { get; init; }

    public string? OldestTimestamp { get; init; }
}
