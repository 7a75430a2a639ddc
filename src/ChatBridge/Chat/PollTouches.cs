using System.Collections.Concurrent;

namespace ChatBridge.Chat;

/// <summary>What a poll must write to keep its session alive.</summary>
internal enum PollTouch
{
    /// <summary>Activity is recent enough: the poll stays read-only.</summary>
    None,

    /// <summary>No such session yet: a client may poll before it has sent anything, and the session is created.</summary>
    Create,

    /// <summary><c>last_active</c> is stale and is moved to now.</summary>
    Refresh,
}

/// <summary>
/// A poll refreshes <c>last_active</c> at most every <see cref="Interval"/>, so polling is read-only nearly always. This
/// remembers the activity time each polled session last had here, so a poll within the interval needs no query at all.
/// </summary>
internal sealed class PollTouches
{
    /// <summary>Well under the shortest <c>session_timeout</c> (60 s), so a polled session never looks idle to <c>cleanup</c>.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    /// <summary>Bounds the memory; past it, it starts over, costing one query per session.</summary>
    private const int RememberedSessions = 100_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastActive = new(StringComparer.Ordinal);

    public bool IsFresh(string sessionId, DateTimeOffset now) =>
        _lastActive.TryGetValue(sessionId, out var seen) && now - seen < Interval;

    /// <summary>What to write for a session that <paramref name="exists"/> with this stored <c>last_active</c>.</summary>
    public PollTouch Decide(string sessionId, DateTimeOffset? lastActive, bool exists, DateTimeOffset now)
    {
        if (!exists)
        {
            return PollTouch.Create;
        }
        if (lastActive is { } stored && now - stored < Interval)
        {
            Remember(sessionId, stored);
            return PollTouch.None;
        }
        return PollTouch.Refresh;
    }

    /// <summary>The session was created or touched at <paramref name="now"/>.</summary>
    public void Touched(string sessionId, DateTimeOffset now) => Remember(sessionId, now);

    /// <summary>Polls on deleted sessions must find out (and recreate them) rather than trust the memory.</summary>
    public void Forget() => _lastActive.Clear();

    private void Remember(string sessionId, DateTimeOffset lastActive)
    {
        if (_lastActive.Count >= RememberedSessions)
        {
            _lastActive.Clear();
        }
        _lastActive[sessionId] = lastActive;
    }
}
