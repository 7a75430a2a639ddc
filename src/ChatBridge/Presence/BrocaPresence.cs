using System.Collections.Concurrent;

namespace ChatBridge.Presence;

/// <summary>
/// Whether each agent's Broca is polling, and how fast the agent usually answers. A poll is noted in memory on every
/// inbox call and written to the database at most every <see cref="WriteEvery"/> per Broca per instance, so polling
/// adds no write of its own; every instance reads the database, so presence holds across instances. The service-wide
/// key polls for every agent, so its polls count for each.
/// </summary>
internal sealed class BrocaPresence(IPresenceStore store, TimeProvider time)
{
    /// <summary>How often one instance writes one Broca's last poll.</summary>
    public static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(5);

    /// <summary>A Broca is online while its last poll is within three of its own poll intervals, and never less than this.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(3);

    /// <summary>How long the typical reply times are kept before they are read again.</summary>
    public static readonly TimeSpan ReplyTimesKeptFor = TimeSpan.FromSeconds(30);

    public const long ServiceKey = 0;

    private readonly ConcurrentDictionary<long, PollState> _polls = new();
    private readonly SemaphoreSlim _replyTimesRead = new(1, 1);
    private (IReadOnlyDictionary<long, double> Medians, DateTimeOffset ReadAt)? _replyTimes;

    /// <summary>
    /// Notes a poll of <paramref name="agentId"/>'s Broca (null: the service-wide key) that may wait up to
    /// <paramref name="waitSeconds"/>: its interval is the smoothed gap between its polls, and at least its wait.
    /// </summary>
    public async Task NotePollAsync(long? agentId, int waitSeconds, CancellationToken ct)
    {
        var key = agentId ?? ServiceKey;
        var now = time.GetUtcNow();
        var state = _polls.AddOrUpdate(key,
            _ => new PollState(now, null, waitSeconds, DateTimeOffset.MinValue),
            (_, previous) =>
            {
                var gap = (now - previous.LastPollAt).TotalSeconds;
                var smoothed = previous.GapSeconds is { } earlier ? (0.7 * earlier) + (0.3 * gap) : gap;
                return previous with { LastPollAt = now, GapSeconds = smoothed, WaitSeconds = waitSeconds };
            });
        if (now - state.WrittenAt < WriteEvery)
        {
            return;
        }
        _polls[key] = state with { WrittenAt = now };
        await store.SavePollAsync(key, now, state.IntervalSeconds, ct);
    }

    /// <summary>Each Broca's last poll and interval, the newest of this instance's memory and the database.</summary>
    public async Task<IReadOnlyDictionary<long, BrocaPoll>> PollsAsync(CancellationToken ct)
    {
        var polls = (await store.ReadPollsAsync(ct)).ToDictionary(p => p.AgentId);
        foreach (var (key, state) in _polls)
        {
            if (!polls.TryGetValue(key, out var stored) || stored.LastPollAt < state.LastPollAt)
            {
                polls[key] = new BrocaPoll { AgentId = key, LastPollAt = state.LastPollAt, IntervalSeconds = state.IntervalSeconds };
            }
        }
        return polls;
    }

    /// <summary>An agent's Broca is online when its own polls or the service-wide key's are recent enough.</summary>
    public bool IsOnline(IReadOnlyDictionary<long, BrocaPoll> polls, long agentId)
    {
        var now = time.GetUtcNow();
        return IsRecent(polls.GetValueOrDefault(agentId), now) || IsRecent(polls.GetValueOrDefault(ServiceKey), now);
    }

    /// <summary>The last poll that counts for <paramref name="agentId"/>: its own or the service-wide key's, whichever is newer.</summary>
    public static DateTimeOffset? LastPollFor(IReadOnlyDictionary<long, BrocaPoll> polls, long agentId) =>
        new[] { polls.GetValueOrDefault(agentId)?.LastPollAt, polls.GetValueOrDefault(ServiceKey)?.LastPollAt }.Max();

    /// <summary>Median seconds to the first answer over each agent's messages answered in the last 24 hours; read at most every 30 s.</summary>
    public async Task<IReadOnlyDictionary<long, double>> TypicalReplySecondsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_replyTimes is { } kept && now - kept.ReadAt < ReplyTimesKeptFor)
        {
            return kept.Medians;
        }
        await _replyTimesRead.WaitAsync(ct);
        try
        {
            if (_replyTimes is { } fresh && now - fresh.ReadAt < ReplyTimesKeptFor)
            {
                return fresh.Medians;
            }
            var medians = (await store.AnswerTimesSinceAsync(now - TimeSpan.FromHours(24), ct))
                .GroupBy(a => a.AgentId)
                .ToDictionary(g => g.Key, g => Median([.. g.Select(a => a.Seconds).Order()]));
            _replyTimes = (medians, now);
            return medians;
        }
        finally
        {
            _replyTimesRead.Release();
        }
    }

    private static bool IsRecent(BrocaPoll? poll, DateTimeOffset now)
    {
        if (poll is null)
        {
            return false;
        }
        var window = TimeSpan.FromSeconds(3 * (poll.IntervalSeconds ?? 0));
        return now - poll.LastPollAt <= (window > Floor ? window : Floor);
    }

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private sealed record PollState(DateTimeOffset LastPollAt, double? GapSeconds, int WaitSeconds, DateTimeOffset WrittenAt)
    {
        public double IntervalSeconds => Math.Max(GapSeconds ?? 0, WaitSeconds);
    }
}
