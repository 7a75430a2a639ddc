using ChatBridge.Configuration;
using ChatBridge.Events;
using Microsoft.Extensions.Options;

namespace ChatBridge.Realtime;

/// <summary>
/// Broca's typing indicator per session. A <c>start</c> arms a timer so the indicator stops by itself when
/// no <c>stop</c> follows (Broca crashed, or forgot); a reply also ends it.
/// </summary>
internal sealed class TypingTimers(IRealtimeBus bus, TimeProvider time, IOptions<ChatBridgeOptions> options) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Armed> _active = new(StringComparer.Ordinal);

    public void Start(string sessionId)
    {
        lock (_lock)
        {
            _active.Remove(sessionId, out var previous);
            previous?.Timer.Dispose();
            var armed = new Armed(sessionId);
            armed.Timer = time.CreateTimer(Expire, armed, options.Value.TypingTimeout, Timeout.InfiniteTimeSpan);
            _active[sessionId] = armed;
        }
        bus.Publish(new TypingEvent(sessionId, TypingState.Start));
    }

    /// <summary>An explicit <c>stop</c> is always passed on, so a listener that missed the start still settles.</summary>
    public void Stop(string sessionId)
    {
        Cancel(sessionId);
        bus.Publish(new TypingEvent(sessionId, TypingState.Stop));
    }

    /// <summary>Ends the indicator when a reply arrives, but only if one is showing.</summary>
    public void StopIfActive(string sessionId)
    {
        if (Cancel(sessionId))
        {
            bus.Publish(new TypingEvent(sessionId, TypingState.Stop));
        }
    }

    public bool IsActive(string sessionId)
    {
        lock (_lock)
        {
            return _active.ContainsKey(sessionId);
        }
    }

    private bool Cancel(string sessionId)
    {
        Armed? armed;
        lock (_lock)
        {
            _active.Remove(sessionId, out armed);
        }
        armed?.Timer.Dispose();
        return armed is not null;
    }

    private void Expire(object? state)
    {
        var armed = (Armed)state!;
        lock (_lock)
        {
            // A timer that fires just as a newer start replaced it must not end the newer one.
            if (!_active.TryGetValue(armed.SessionId, out var current) || current != armed)
            {
                return;
            }
            _active.Remove(armed.SessionId);
        }
        armed.Timer.Dispose();
        bus.Publish(new TypingEvent(armed.SessionId, TypingState.Stop));
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var armed in _active.Values)
            {
                armed.Timer.Dispose();
            }
            _active.Clear();
        }
    }

    private sealed class Armed(string sessionId)
    {
        public string SessionId { get; } = sessionId;

        public ITimer Timer { get; set; } = null!;
    }
}
