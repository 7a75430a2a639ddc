using System.Globalization;

namespace ChatBridge.Stats;

/// <summary>
/// The dashboard's series, counted once per closed day. A day's figures stop changing once it is over: its messages
/// and replies are counted by the time they were stored, its latency by the time of the first reply. So a closed day
/// is counted from the chat tables by the first request whose window holds it and kept in <c>stats_daily</c>; every
/// request after that reads it back, and counts only the days still open (today, and for a moment after midnight
/// yesterday too) and the hourly window.
/// </summary>
internal sealed class StatsRollup(IStatsStore store)
{
    /// <summary>The stored timestamp's day prefix for the day starting at <paramref name="start"/>: how buckets and <c>stats_daily</c> name days.</summary>
    public static string DayKey(DateTimeOffset start) => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<StatsRows> ReadAsync(StatsWindow window, CancellationToken ct)
    {
        var closed = await ClosedDaysAsync(window.DailyFrom, window.LiveFrom, ct);
        var live = await store.ReadLiveAsync(window.HourlyFrom, window.LiveFrom, window.Until, ct);
        return new StatsRows(
            live.Hourly,
            [.. closed.Where(f => f.AgentId == DayFigures.Service).Select(Activity), .. live.Days.Activity],
            [.. closed.Select(Latency).OfType<LatencyCount>(), .. live.Days.Latency],
            live.Backlog,
            live.Attachments);
    }

    /// <summary>Every closed day from <paramref name="from"/> to <paramref name="until"/>: kept ones read, the others counted and kept.</summary>
    private async Task<IReadOnlyList<DayFigures>> ClosedDaysAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        var kept = await store.ReadClosedDaysAsync(DayKey(from), DayKey(until), ct);
        var keptDays = kept.Where(f => f.AgentId == DayFigures.Service).Select(f => f.Day).ToHashSet(StringComparer.Ordinal);
        List<DateTimeOffset> missing = [];
        for (var day = from; day < until; day = day.AddDays(1))
        {
            if (!keptDays.Contains(DayKey(day)))
            {
                missing.Add(day);
            }
        }
        // A closed day never changes, so each is counted in a snapshot of its own, two at a time: on SQLite counting is
        // this process's own work, which one thread does on one core; requests keep the other connections.
        var counts = new DayCounts[missing.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, missing.Count), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct },
            async (i, token) => counts[i] = await store.CountDaysAsync(missing[i], missing[i].AddDays(1), token));
        List<DayFigures> counted = [.. missing.SelectMany((day, i) => Figures(DayKey(day), counts[i]))];
        if (counted.Count > 0)
        {
            await store.KeepClosedDaysAsync(counted, ct);
        }
        return [.. kept, .. counted];
    }

    /// <summary>A counted day as <c>stats_daily</c> keeps it: the service's row, even when empty, then a row per agent with an answer.</summary>
    private static IEnumerable<DayFigures> Figures(string day, DayCounts counts)
    {
        var activity = counts.Activity.SingleOrDefault(a => a.Bucket == day);
        var latency = counts.Latency.Where(l => l.Day == day).ToList();
        var service = latency.SingleOrDefault(l => l.AgentId is null);
        yield return new DayFigures
        {
            Day = day, AgentId = DayFigures.Service, Messages = activity?.Messages ?? 0, Replies = activity?.Replies ?? 0,
            Answered = service?.Answered ?? 0, P50Seconds = service?.P50Seconds, P95Seconds = service?.P95Seconds,
        };
        foreach (var agent in latency.Where(l => l.AgentId is not null))
        {
            yield return new DayFigures
            {
                Day = day, AgentId = agent.AgentId!.Value, Answered = agent.Answered, P50Seconds = agent.P50Seconds, P95Seconds = agent.P95Seconds,
            };
        }
    }

    private static ActivityCount Activity(DayFigures service) =>
        new() { Bucket = service.Day, Messages = service.Messages ?? 0, Replies = service.Replies ?? 0 };

    /// <summary>A kept row's latency, or null for a day with no answer.</summary>
    private static LatencyCount? Latency(DayFigures figures) => figures is { Answered: > 0, P50Seconds: { } p50, P95Seconds: { } p95 }
        ? new LatencyCount
        {
            Day = figures.Day, AgentId = figures.AgentId == DayFigures.Service ? null : figures.AgentId,
            Answered = figures.Answered, P50Seconds = p50, P95Seconds = p95,
        }
        : null;
}

/// <summary>
/// What a <c>stats</c> request covers: hours from <see cref="HourlyFrom"/>, days from <see cref="DailyFrom"/>, all up to
/// <see cref="Until"/> (the end of today); the days before <see cref="LiveFrom"/> are closed.
/// </summary>
internal sealed record StatsWindow(DateTimeOffset HourlyFrom, DateTimeOffset DailyFrom, DateTimeOffset LiveFrom, DateTimeOffset Until);
