namespace ChatBridge.Stats;

/// <summary>
/// The figures of the admin's dashboard: activity, reply latency and the backlog, counted by the database, and the
/// figures of closed days kept in <c>stats_daily</c> so that they are counted once. Bounds are points in time,
/// each range from inclusive to exclusive; days are named by a stored timestamp's day prefix (<c>2026-11-24</c>).
/// </summary>
internal interface IStatsStore
{
    /// <summary>What <c>stats_daily</c> holds for the days from <paramref name="fromDay"/> to <paramref name="toDay"/>.</summary>
    Task<IReadOnlyList<DayFigures>> ReadClosedDaysAsync(string fromDay, string toDay, CancellationToken ct);

    /// <summary>Counts activity and latency from the chat tables, per day, from <paramref name="from"/> to <paramref name="to"/> (the starts of days).</summary>
    Task<DayCounts> CountDaysAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>Keeps closed days' figures; a day already kept stays as it is (another request or instance got there first).</summary>
    Task KeepClosedDaysAsync(IReadOnlyList<DayFigures> figures, CancellationToken ct);

    /// <summary>
    /// The part that is read on every request, in one read so that it describes one moment: activity per hour from
    /// <paramref name="hourlyFrom"/>, activity per day and the days' answers from <paramref name="liveFrom"/>, both up
    /// to <paramref name="to"/> (the start of a day, as is <paramref name="liveFrom"/>), and the backlog. A day named in
    /// <paramref name="answersSince"/> (by its start) gives only its answers from then on.
    /// </summary>
    Task<LiveCounts> ReadLiveAsync(
        DateTimeOffset hourlyFrom, DateTimeOffset liveFrom, DateTimeOffset to, IReadOnlyDictionary<DateTimeOffset, DateTimeOffset> answersSince,
        CancellationToken ct);

    /// <summary>Every answer of the day starting at <paramref name="start"/>, in a read of its own.</summary>
    Task<OpenDayRead> ReadOpenDayAsync(DateTimeOffset start, CancellationToken ct);

    /// <summary>Ratings given from <paramref name="from"/> to <paramref name="to"/>, per day of the rating and session's agent.</summary>
    Task<IReadOnlyList<DailySatisfaction>> SatisfactionAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

/// <summary>
/// Visitors' ratings of one agent's replies (<see cref="AgentId"/> null: sessions without an agent) on one UTC day, by
/// the day the rating was last set; a rating taken back no longer counts.
/// </summary>
internal sealed record DailySatisfaction
{
    public required string Day { get; init; }
    public long? AgentId { get; init; }
    public long Up { get; init; }
    public long Down { get; init; }
}

/// <summary>
/// What the database counted. Buckets are named by the timestamp's prefix (an hour <c>2026-11-24T10</c>, a day
/// <c>2026-11-24</c>) and only those holding something are listed; filling the gaps is the caller's.
/// </summary>
internal sealed record StatsRows(
    IReadOnlyList<ActivityCount> Hourly,
    IReadOnlyList<ActivityCount> Daily,
    IReadOnlyList<LatencyCount> Latency,
    BacklogCount Backlog,
    AttachmentStorage Attachments);

/// <summary>Activity and latency of a range of days, as <see cref="StatsRows"/> lists them.</summary>
internal sealed record DayCounts(IReadOnlyList<ActivityCount> Activity, IReadOnlyList<LatencyCount> Latency);

internal sealed record LiveCounts(
    IReadOnlyList<ActivityCount> Hourly,
    IReadOnlyList<ActivityCount> Daily,
    IReadOnlyList<OpenDayRead> OpenDays,
    BacklogCount Backlog,
    AttachmentStorage Attachments);

/// <summary>
/// A read of the day starting at <see cref="Start"/>, still open: <see cref="Answered"/> counts all its answers, and
/// <see cref="Answers"/> holds those answered from <see cref="Since"/> on (every one when it is null).
/// </summary>
internal sealed record OpenDayRead(DateTimeOffset Start, long Answered, DateTimeOffset? Since, IReadOnlyList<OpenAnswer> Answers);

/// <summary>An answer of a day still open: the message answered, when, its session's agent and how long it waited.</summary>
internal sealed record OpenAnswer
{
    public long Id { get; init; }

    public DateTimeOffset AnsweredAt { get; init; }

    public long? AgentId { get; init; }

    public double Seconds { get; init; }
}

/// <summary>Attachments kept, and the bytes they take (in the database, or in the attachments folder).</summary>
internal sealed record AttachmentStorage
{
    public long Files { get; init; }

    public long Bytes { get; init; }
}

internal sealed record ActivityCount
{
    public required string Bucket { get; init; }

    public long Messages { get; init; }

    public long Replies { get; init; }
}

/// <summary>
/// Reply latency (a message's first reply's time, <c>answered_at</c>, less the message's) of the messages answered on
/// one day: over all of them when <see cref="AgentId"/> is null, else over those in sessions with that agent.
/// Percentiles by nearest rank, in seconds.
/// </summary>
internal sealed record LatencyCount
{
    public required string Day { get; init; }

    public long? AgentId { get; init; }

    public long Answered { get; init; }

    public double P50Seconds { get; init; }

    public double P95Seconds { get; init; }
}

/// <summary>
/// A row of <c>stats_daily</c>: a closed day's figures for the whole service (<see cref="AgentId"/> is
/// <see cref="Service"/>, activity and latency) or for one agent's sessions (latency only).
/// </summary>
internal sealed record DayFigures
{
    /// <summary>The <see cref="AgentId"/> of the whole service's row; agent ids start at 1.</summary>
    public const long Service = 0;

    public required string Day { get; init; }

    public long AgentId { get; init; }

    public long? Messages { get; init; }

    public long? Replies { get; init; }

    public long Answered { get; init; }

    public double? P50Seconds { get; init; }

    public double? P95Seconds { get; init; }
}

/// <summary>Messages no reply has answered yet, and when the oldest of them was sent.</summary>
internal sealed record BacklogCount
{
    public long Waiting { get; init; }

    public DateTimeOffset? OldestTimestamp { get; init; }
}
