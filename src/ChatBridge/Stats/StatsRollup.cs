using System.Globalization;

namespace ChatBridge.Stats;

/// <summary>
/// The dashboard's series, counted once per closed day. A day's figures stop changing once it is over: its messages
/// and replies are counted by the time they were stored, its latency by the time of the first reply. So a closed day
/// is counted from the chat tables by the first request whose window holds it and kept in <c>stats_daily</c>; every
/// request after that reads it back, and counts only the days still open (today, and for a moment after midnight
/// yesterday too) and the hourly window; the open days' answers are kept too (<see cref="OpenDayTally"/>), so a
/// request reads only those since the last.
/// </summary>
internal sealed class StatsRollup(IStatsStore store) : IDisposable
{
    /// <summary>One request at a time brings the open days' tallies up to date: they are kept for the next one.</summary>
    private readonly SemaphoreSlim _openDaysLock = new(1, 1);
    private IReadOnlyList<OpenDayTally> _openDays = [];

    /// <summary>The stored timestamp's day prefix for the day starting at <paramref name="start"/>: how buckets and <c>stats_daily</c> name days.</summary>
    public static string DayKey(DateTimeOffset start) => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<StatsRows> ReadAsync(StatsWindow window, CancellationToken ct)
    {
        var closed = await ClosedDaysAsync(window.DailyFrom, window.LiveFrom, ct);
        await _openDaysLock.WaitAsync(ct);
        try
        {
            var since = _openDays
                .Where(day => day.ReadFrom is not null)
                .ToDictionary(day => day.Start, day => day.ReadFrom!.Value);
            var live = await store.ReadLiveAsync(window.HourlyFrom, window.LiveFrom, window.Until, since, ct);
            List<OpenDayTally> openDays = [];
            foreach (var read in live.OpenDays)
            {
                openDays.Add(await TallyAsync(read, ct));
            }
            _openDays = openDays;
            return new StatsRows(
                live.Hourly,
                [.. closed.Where(f => f.AgentId == DayFigures.Service).Select(Activity), .. live.Daily],
                [.. closed.Select(Latency).OfType<LatencyCount>(), .. openDays.SelectMany(day => day.Counts())],
                live.Backlog,
                live.Attachments);
        }
        finally
        {
            _openDaysLock.Release();
        }
    }

    public void Dispose() => _openDaysLock.Dispose();

    /// <summary>The open day's tally after <paramref name="read"/>: the kept one brought up to date, or one made from the whole day.</summary>
    private async Task<OpenDayTally> TallyAsync(OpenDayRead read, CancellationToken ct)
    {
        if (read.Since is null)
        {
            return OpenDayTally.Of(read);
        }
        var kept = _openDays.Single(day => day.Start == read.Start);
        return kept.TryAdd(read) ? kept : OpenDayTally.Of(await store.ReadOpenDayAsync(read.Start, ct));
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
