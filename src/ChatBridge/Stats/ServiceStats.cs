using System.Globalization;

namespace ChatBridge.Stats;

/// <summary>The <c>stats</c> answer: every series has one bucket per hour or day of its window, empty ones included, in UTC.</summary>
internal sealed record ServiceStats(
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ActivityBucket> Hourly,
    IReadOnlyList<ActivityBucket> Daily,
    LatencySeries Latency,
    BacklogFigure Backlog,
    AttachmentStorage Attachments)
{
    /// <summary>Visitors' ratings per day (of the rating) and agent over the daily window; only days and agents with a rating.</summary>
    public IReadOnlyList<DailySatisfaction> Satisfaction { get; init; } = [];

    /// <summary>
    /// How long after midnight a day still counts as open. A write takes its timestamp a moment before it commits, so a
    /// reply stamped 23:59:59.999 may become visible just after midnight; a day is kept only once that cannot happen.
    /// </summary>
    public static readonly TimeSpan ClosingDelay = TimeSpan.FromMinutes(1);

    /// <summary>The hourly series ends with the current hour, the daily ones with today.</summary>
    public static StatsWindow Window(DateTimeOffset now, int hours, int days)
    {
        var (hour, day) = Starts(now);
        var dailyFrom = day.AddDays(1 - days);
        var open = Starts(now - ClosingDelay).Day;
        return new StatsWindow(hour.AddHours(1 - hours), dailyFrom, open > dailyFrom ? open : dailyFrom, day.AddDays(1));
    }

    public static ServiceStats From(StatsRows rows, DateTimeOffset now, int hours, int days)
    {
        var (hour, day) = Starts(now);
        var hourStarts = Enumerable.Range(1 - hours, hours).Select(h => hour.AddHours(h)).ToList();
        var dayStarts = Enumerable.Range(1 - days, days).Select(d => day.AddDays(d)).ToList();
        return new ServiceStats(
            now,
            Activity(rows.Hourly, hourStarts, HourKey),
            Activity(rows.Daily, dayStarts, StatsRollup.DayKey),
            new LatencySeries(
                LatencyDays(rows.Latency.Where(r => r.AgentId is null), dayStarts),
                [.. rows.Latency
                    .Where(r => r.AgentId is not null)
                    .GroupBy(r => r.AgentId!.Value)
                    .OrderBy(g => g.Key)
                    .Select(g => new AgentLatency(g.Key, LatencyDays(g, dayStarts)))]),
            new BacklogFigure(
                rows.Backlog.Waiting,
                rows.Backlog.OldestTimestamp,
                rows.Backlog.OldestTimestamp is { } oldest ? (long)Math.Max(0, (now - oldest).TotalSeconds) : null),
            rows.Attachments);
    }

    private static (DateTimeOffset Hour, DateTimeOffset Day) Starts(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return (day.AddHours(utc.Hour), day);
    }

    // The store names buckets by the stored timestamps' prefixes.
    private static string HourKey(DateTimeOffset start) => start.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    private static List<ActivityBucket> Activity(IEnumerable<ActivityCount> counts, List<DateTimeOffset> starts, Func<DateTimeOffset, string> key)
    {
        var byBucket = counts.ToDictionary(c => c.Bucket, StringComparer.Ordinal);
        return [.. starts.Select(start => byBucket.TryGetValue(key(start), out var c)
            ? new ActivityBucket(start, c.Messages, c.Replies)
            : new ActivityBucket(start, 0, 0))];
    }

    private static List<LatencyBucket> LatencyDays(IEnumerable<LatencyCount> counts, List<DateTimeOffset> dayStarts)
    {
        var byDay = counts.ToDictionary(c => c.Day, StringComparer.Ordinal);
        return [.. dayStarts.Select(start => byDay.TryGetValue(StatsRollup.DayKey(start), out var c)
            ? new LatencyBucket(start, c.Answered, Seconds(c.P50Seconds), Seconds(c.P95Seconds))
            : new LatencyBucket(start, 0, null, null))];
    }

    /// <summary>Milliseconds are what the timestamps hold; more digits would only be the float arithmetic's noise.</summary>
    private static double Seconds(double value) => Math.Round(value, 3);
}

/// <summary>Messages sent and replies stored in the bucket that starts at <c>Start</c>.</summary>
internal sealed record ActivityBucket(DateTimeOffset Start, long Messages, long Replies);

/// <summary>
/// Reply latency (message to first reply) of the messages answered on the day starting at <c>Start</c>; the
/// percentiles are null when none was.
/// </summary>
internal sealed record LatencyBucket(DateTimeOffset Start, long Answered, double? P50Seconds, double? P95Seconds);

internal sealed record AgentLatency(long AgentId, IReadOnlyList<LatencyBucket> Daily);

internal sealed record LatencySeries(IReadOnlyList<LatencyBucket> Overall, IReadOnlyList<AgentLatency> Agents);

internal sealed record BacklogFigure(long Waiting, DateTimeOffset? OldestTimestamp, long? OldestAgeSeconds);
