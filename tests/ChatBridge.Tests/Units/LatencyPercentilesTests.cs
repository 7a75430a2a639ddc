using ChatBridge.Stats;

namespace ChatBridge.Tests.Units;

/// <summary>The dashboard's reply latency of a day: nearest-rank percentiles over all its answers and per agent.</summary>
public sealed class LatencyPercentilesTests
{
    private const string Day = "2026-11-24";

    [Fact]
    public void Percentiles_are_the_values_at_the_nearest_ranks_whatever_order_the_answers_come_in()
    {
        // Twenty waits of 1..20 s, in reverse: p50 is the 10th value, p95 the 19th.
        var answers = Enumerable.Range(1, 20).Reverse().Select(s => Answer(agent: null, s)).ToList();

        var day = Assert.Single(LatencyPercentiles.Count(Day, answers));

        Assert.Equal(new LatencyCount { Day = Day, AgentId = null, Answered = 20, P50Seconds = 10, P95Seconds = 19 }, day);
    }

    [Fact]
    public void One_answer_is_every_percentile_of_its_day()
    {
        var day = Assert.Single(LatencyPercentiles.Count(Day, [Answer(agent: null, 7.5)]));

        Assert.Equal((1L, 7.5, 7.5), (day.Answered, day.P50Seconds, day.P95Seconds));
    }

    [Fact]
    public void The_day_counts_all_its_answers_then_each_agent_that_has_some_in_order()
    {
        LatencyCount[] counts = [.. LatencyPercentiles.Count(Day,
            [Answer(agent: 2, 30), Answer(agent: 1, 6), Answer(agent: null, 9), Answer(agent: 1, 2)])];

        Assert.Equal([(null, 4L), (1L, 2L), (2L, 1L)], counts.Select(c => (c.AgentId, c.Answered)));
        Assert.All(counts, c => Assert.Equal(Day, c.Day));
        // The day's four (2, 6, 9, 30): p50 at rank 2, p95 at rank ceil(3.8) = 4.
        Assert.Equal((6.0, 30.0), (counts[0].P50Seconds, counts[0].P95Seconds));
        // Agent 1's two (2, 6): p50 at rank 1, p95 at rank ceil(1.9) = 2.
        Assert.Equal((2.0, 6.0), (counts[1].P50Seconds, counts[1].P95Seconds));
        Assert.Equal((30.0, 30.0), (counts[2].P50Seconds, counts[2].P95Seconds));
    }

    [Fact]
    public void A_day_without_answers_has_no_figures()
    {
        Assert.Empty(LatencyPercentiles.Count(Day, []));
    }

    private static AnswerTime Answer(long? agent, double seconds) => new() { AgentId = agent, Seconds = seconds };
}
