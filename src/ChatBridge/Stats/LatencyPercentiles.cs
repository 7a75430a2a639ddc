namespace ChatBridge.Stats;

/// <summary>One message answered on the day being counted: its session's agent (if any), and the seconds it waited for its first reply.</summary>
internal sealed record AnswerTime
{
    public long? AgentId { get; init; }

    public double Seconds { get; init; }
}

/// <summary>
/// A day's reply latency, over all its answers and per agent, by nearest rank. Ranked here rather than by window
/// functions in SQL: two windows over a day's 11 000 answers took ~120 ms on SQLite, sorting them here a few
/// milliseconds, and the first <c>stats</c> call after an upgrade has a month of closed days to count.
/// </summary>
internal static class LatencyPercentiles
{
    /// <summary>The day's figures over all its answers, then one per agent that has any, in the agents' order; none for a day without answers.</summary>
    public static IReadOnlyList<LatencyCount> Count(string day, IReadOnlyList<AnswerTime> answers) => LatencyTally.Of(answers).Counts(day);
}

/// <summary>
/// Waits kept sorted, over all answers and per agent, so that a day still open takes its new answers one by one and
/// ranks them without sorting the day again.
/// </summary>
internal sealed class LatencyTally
{
    private readonly List<double> _all;
    private readonly SortedDictionary<long, List<double>> _byAgent = [];

    private LatencyTally(List<double> all) => _all = all;

    public long Answered => _all.Count;

    /// <summary>A day's answers at once: appended, then each list sorted once.</summary>
    public static LatencyTally Of(IReadOnlyList<AnswerTime> answers)
    {
        var tally = new LatencyTally(new List<double>(answers.Count));
        foreach (var answer in answers)
        {
            tally._all.Add(answer.Seconds);
            if (answer.AgentId is { } agent)
            {
                tally.Waits(agent).Add(answer.Seconds);
            }
        }
        tally._all.Sort();
        foreach (var waits in tally._byAgent.Values)
        {
            waits.Sort();
        }
        return tally;
    }

    public void Add(AnswerTime answer)
    {
        Insert(_all, answer.Seconds);
        if (answer.AgentId is { } agent)
        {
            Insert(Waits(agent), answer.Seconds);
        }
    }

    /// <summary>The day's figures over all its answers, then one per agent that has any, in the agents' order; none for a day without answers.</summary>
    public IReadOnlyList<LatencyCount> Counts(string day)
    {
        if (_all.Count == 0)
        {
            return [];
        }
        List<LatencyCount> counts = [Of(day, null, _all)];
        counts.AddRange(_byAgent.Select(agent => Of(day, agent.Key, agent.Value)));
        return counts;
    }

    private List<double> Waits(long agent)
    {
        if (!_byAgent.TryGetValue(agent, out var waits))
        {
            _byAgent[agent] = waits = [];
        }
        return waits;
    }

    private static void Insert(List<double> sorted, double seconds)
    {
        var at = sorted.BinarySearch(seconds);
        sorted.Insert(at < 0 ? ~at : at, seconds);
    }

    private static LatencyCount Of(string day, long? agentId, List<double> sorted) => new()
    {
        Day = day, AgentId = agentId, Answered = sorted.Count,
        P50Seconds = NearestRank(sorted, 50), P95Seconds = NearestRank(sorted, 95),
    };

    /// <summary>Percentile p of n sorted values is the one at rank ceil(p·n/100), counting from one; in integers, no rounding.</summary>
    private static double NearestRank(List<double> sorted, int percentile) => sorted[(((sorted.Count * percentile) + 99) / 100) - 1];
}
