using ChatBridge.Stats;

namespace ChatBridge.Tests.Units;

/// <summary>
/// Today's latency kept between <c>stats</c> requests: each read brings only the answers since the last, overlapping
/// it by the closing delay, and a day whose count no longer matches is read whole again.
/// </summary>
public sealed class OpenDayTallyTests
{
    private static readonly DateTimeOffset Today = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_next_read_starts_a_closing_delay_before_the_latest_answer_kept()
    {
        Assert.Null(OpenDayTally.Of(Read(answered: 0, since: null)).ReadFrom);

        var tally = OpenDayTally.Of(Read(answered: 2, since: null, Answer(1, "10:00:00", 5), Answer(2, "11:00:00", 7)));

        Assert.Equal(Today.AddHours(11) - ServiceStats.ClosingDelay, tally.ReadFrom);
    }

    [Fact]
    public void An_answer_read_again_in_the_overlap_counts_once_and_one_committed_late_in_it_counts_too()
    {
        var tally = OpenDayTally.Of(Read(answered: 2, since: null, Answer(1, "10:00:00", 5), Answer(2, "11:00:00", 7)));

        // Answer 2 again; answer 3 was stamped before it but committed after the last read; answer 4 is new.
        Assert.True(tally.TryAdd(Read(answered: 4, since: tally.ReadFrom,
            Answer(2, "11:00:00", 7), Answer(3, "10:59:30", 9), Answer(4, "11:30:00", 1))));

        Assert.Equal([Latency(null, 4, 5, 9)], tally.Counts());
        Assert.True(tally.TryAdd(Read(answered: 5, since: tally.ReadFrom, Answer(4, "11:30:00", 1), Answer(5, "11:30:20", 3))));
        Assert.Equal([Latency(null, 5, 5, 9)], tally.Counts());
    }

    [Fact]
    public void A_day_that_counts_more_or_fewer_answers_than_it_keeps_is_to_be_read_whole()
    {
        var tally = OpenDayTally.Of(Read(answered: 1, since: null, Answer(1, "10:00:00", 5)));

        // An answer stamped long before the overlap (as the control app's writers may do), or a deleted one.
        Assert.False(tally.TryAdd(Read(answered: 2, since: tally.ReadFrom)));
        Assert.False(OpenDayTally.Of(Read(answered: 1, since: null, Answer(1, "10:00:00", 5))).TryAdd(Read(answered: 0, since: Today)));
    }

    [Fact]
    public void Answers_taken_in_one_by_one_rank_as_the_whole_day_read_at_once()
    {
        var random = new Random(24);
        var answers = Enumerable.Range(1, 500)
            .Select(id => new OpenAnswer
            {
                Id = id, AnsweredAt = Today.AddSeconds(id * 60), AgentId = random.Next(4) is var agent and > 0 ? agent : null,
                Seconds = Math.Round(random.NextDouble() * 300, 3),
            })
            .ToList();
        var tally = OpenDayTally.Of(Read(answered: 100, since: null, [.. answers[..100]]));
        for (var taken = 100; taken < answers.Count; taken += 37)
        {
            var upTo = Math.Min(taken + 37, answers.Count);
            var from = tally.ReadFrom!.Value;
            Assert.True(tally.TryAdd(Read(upTo, from, [.. answers[..upTo].Where(a => a.AnsweredAt >= from)])));
        }

        var whole = LatencyPercentiles.Count(StatsRollup.DayKey(Today),
            answers.ConvertAll(a => new AnswerTime { AgentId = a.AgentId, Seconds = a.Seconds }));
        Assert.Equal(4, whole.Count);
        Assert.Equal(whole, tally.Counts());
    }

    private static OpenDayRead Read(long answered, DateTimeOffset? since, params OpenAnswer[] answers) => new(Today, answered, since, answers);

    private static OpenAnswer Answer(long id, string answeredAt, double seconds) =>
        new() { Id = id, AnsweredAt = Today + TimeSpan.Parse(answeredAt, System.Globalization.CultureInfo.InvariantCulture), Seconds = seconds };

    private static LatencyCount Latency(long? agent, long answered, double p50, double p95) =>
        new() { Day = StatsRollup.DayKey(Today), AgentId = agent, Answered = answered, P50Seconds = p50, P95Seconds = p95 };
}
