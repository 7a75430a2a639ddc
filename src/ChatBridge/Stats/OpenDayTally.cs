namespace ChatBridge.Stats;

/// <summary>
/// The latency of a day still open (today, and yesterday for a minute after midnight), kept between <c>stats</c>
/// requests so that each reads only the answers since the last one, not the whole day again: the cost and the garbage
/// of a request stay the same however far the day has gone.
/// </summary>
/// <remarks>
/// A write takes its time a moment before it commits, so an answer may become visible after one answered later: each
/// read starts <see cref="ServiceStats.ClosingDelay"/> before the latest answer kept, and the answers kept from then on
/// are known by id so that none counts twice. Anything else a read cannot see coming (an answer stamped long before it
/// was written, as the control app's own writers may do; sessions deleted) shows as a day's count that no longer
/// matches what is kept, and the day is read whole again. An answer keeps the agent its session had when it was first
/// read; a closed day is counted afresh from the tables.
/// </remarks>
internal sealed class OpenDayTally
{
    private readonly LatencyTally _latency;
    private readonly Dictionary<long, DateTimeOffset> _recent = [];
    private DateTimeOffset? _latest;

    private OpenDayTally(DateTimeOffset start, LatencyTally latency)
    {
        Start = start;
        _latency = latency;
    }

    public DateTimeOffset Start { get; }

    /// <summary>Where the next read of the day starts; null while nothing is kept, when the day is read whole.</summary>
    public DateTimeOffset? ReadFrom => _latest - ServiceStats.ClosingDelay;

    /// <summary>A day read whole.</summary>
    public static OpenDayTally Of(OpenDayRead whole)
    {
        var tally = new OpenDayTally(whole.Start, LatencyTally.Of(whole.Answers.Select(Time).ToList()));
        tally.Remember(whole.Answers);
        return tally;
    }

    /// <summary>
    /// Takes in the answers of <paramref name="read"/> not kept yet; false when the day then holds another count of
    /// answers than the read found, and must be read whole.
    /// </summary>
    public bool TryAdd(OpenDayRead read)
    {
        foreach (var answer in read.Answers)
        {
            if (!_recent.ContainsKey(answer.Id))
            {
                _latency.Add(Time(answer));
            }
        }
        Remember(read.Answers);
        return _latency.Answered == read.Answered;
    }

    public IReadOnlyList<LatencyCount> Counts() => _latency.Counts(StatsRollup.DayKey(Start));

    /// <summary>Keeps the ids of the answers the next read will see again, and forgets those it will not.</summary>
    private void Remember(IReadOnlyList<OpenAnswer> answers)
    {
        foreach (var answer in answers)
        {
            _latest = _latest is { } latest && latest > answer.AnsweredAt ? latest : answer.AnsweredAt;
        }
        var from = ReadFrom;
        foreach (var answer in answers)
        {
            if (answer.AnsweredAt >= from)
            {
                _recent[answer.Id] = answer.AnsweredAt;
            }
        }
        foreach (var (id, answeredAt) in _recent)
        {
            if (answeredAt < from)
            {
                _recent.Remove(id);
            }
        }
    }

    private static AnswerTime Time(OpenAnswer answer) => new() { AgentId = answer.AgentId, Seconds = answer.Seconds };
}
