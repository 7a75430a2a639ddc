using ChatBridge.Stats;

namespace ChatBridge.Tests.Units;

/// <summary>The dashboard's open day: read whole by the first request, then from where the last read left off.</summary>
public sealed class StatsRollupTests
{
    private static readonly DateTimeOffset Today = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    private static readonly StatsWindow Window = new(Today, Today, Today, Today.AddDays(1));

    [Fact]
    public async Task A_request_reads_today_s_answers_since_the_last_one_read_less_the_closing_delay()
    {
        var store = new OpenDayStore();
        using var rollup = new StatsRollup(store);
        store.Answers.Add(Answer(1, Today.AddHours(10), 4));

        await rollup.ReadAsync(Window, CancellationToken.None);
        store.Answers.Add(Answer(2, Today.AddHours(11), 6));
        var rows = await rollup.ReadAsync(Window, CancellationToken.None);

        Assert.Equal([null, Today.AddHours(10) - ServiceStats.ClosingDelay], store.Since);
        Assert.Equal(0, store.WholeReads);
        Assert.Equal((2L, 4.0, 6.0), Overall(rows));
    }

    [Fact]
    public async Task A_day_whose_count_no_longer_matches_is_read_whole_in_the_same_request()
    {
        var store = new OpenDayStore();
        using var rollup = new StatsRollup(store);
        store.Answers.Add(Answer(1, Today.AddHours(10), 4));
        await rollup.ReadAsync(Window, CancellationToken.None);

        // Stamped an hour before the latest answer, long before the next read starts.
        store.Answers.Add(Answer(2, Today.AddHours(9), 8));
        var rows = await rollup.ReadAsync(Window, CancellationToken.None);

        Assert.Equal(1, store.WholeReads);
        Assert.Equal((2L, 4.0, 8.0), Overall(rows));
    }

    private static (long, double?, double?) Overall(StatsRows rows) =>
        rows.Latency.Single(l => l.AgentId is null) is var day ? (day.Answered, day.P50Seconds, day.P95Seconds) : default;

    private static OpenAnswer Answer(long id, DateTimeOffset answeredAt, double seconds) => new() { Id = id, AnsweredAt = answeredAt, Seconds = seconds };

    /// <summary>A day's answers in memory, read as the store reads them: from a point in time, with the day's count.</summary>
    private sealed class OpenDayStore : IStatsStore
    {
        public List<OpenAnswer> Answers { get; } = [];

        public List<DateTimeOffset?> Since { get; } = [];

        public int WholeReads { get; private set; }

        public Task<LiveCounts> ReadLiveAsync(
            DateTimeOffset hourlyFrom, DateTimeOffset liveFrom, DateTimeOffset to, IReadOnlyDictionary<DateTimeOffset, DateTimeOffset> answersSince,
            CancellationToken ct)
        {
            DateTimeOffset? since = answersSince.TryGetValue(Today, out var from) ? from : null;
            Since.Add(since);
            var read = new OpenDayRead(Today, Answers.Count, since, [.. Answers.Where(a => since is null || a.AnsweredAt >= since)]);
            return Task.FromResult(new LiveCounts([], [], [read], new BacklogCount(), new AttachmentStorage()));
        }

        public Task<OpenDayRead> ReadOpenDayAsync(DateTimeOffset start, CancellationToken ct)
        {
            WholeReads++;
            return Task.FromResult(new OpenDayRead(start, Answers.Count, null, [.. Answers]));
        }

        public Task<IReadOnlyList<DayFigures>> ReadClosedDaysAsync(string fromDay, string toDay, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<DayFigures>>([]);

        public Task<DayCounts> CountDaysAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) => throw new InvalidOperationException("No day is closed.");

        public Task KeepClosedDaysAsync(IReadOnlyList<DayFigures> figures, CancellationToken ct) => Task.CompletedTask;

        public Task<IReadOnlyList<DailySatisfaction>> SatisfactionAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<DailySatisfaction>>([]);
    }
}
