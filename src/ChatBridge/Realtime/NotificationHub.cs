using System.Threading.Channels;
using ChatBridge.Data;

namespace ChatBridge.Realtime;

/// <summary>
/// The one in-process fan-out behind WebSockets and long polls. Handlers publish after the repository has
/// committed, so a listener woken by an event always finds the row it announces. Publishing never blocks:
/// each listener has its own bounded queue.
/// </summary>
internal sealed class NotificationHub
{
    private const int WatchCapacity = 8;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Subscription>> _sessions = new(StringComparer.Ordinal);
    private readonly List<Subscription> _inbox = [];

    /// <summary>
    /// Every event of a session, for a WebSocket. When <paramref name="capacity"/> events are waiting the
    /// subscription ends with <see cref="Subscription.Overflowed"/> rather than buffering without bound.
    /// </summary>
    public Subscription Subscribe(string sessionId, int capacity) =>
        Add(sessionId, new Subscription(this, sessionId, capacity, keepNewest: false));

    /// <summary>A session's events for a long poll, which only needs to know that something happened.</summary>
    public Subscription Watch(string sessionId) => Add(sessionId, new Subscription(this, sessionId, WatchCapacity, keepNewest: true));

    /// <summary>New user messages, for inbox long polls.</summary>
    public Subscription WatchInbox() => Add(null, new Subscription(this, null, WatchCapacity, keepNewest: true));

    public void PublishMessageStored() => Publish(Snapshot(null), RealtimeEvent.MessageStored);

    public void PublishDelivered(IEnumerable<InboxMessage> claimed)
    {
        foreach (var message in claimed)
        {
            PublishToSession(message.SessionId, RealtimeEvent.Status(message.Id, MessageStatus.Delivered, message.DeliveryCount));
        }
    }

    /// <summary>A claimed message is back in the inbox (its lease lapsed, or its answer never reached the poller).</summary>
    public void PublishPending(LeaseChange change) =>
        PublishToSession(change.SessionId, RealtimeEvent.Status(change.Id, MessageStatus.Pending, change.DeliveryCount));

    public void PublishResponse(string sessionId, ResponseItem response)
    {
        PublishToSession(sessionId, RealtimeEvent.Response(response));
        if (response.MessageId is { } answered)
        {
            PublishToSession(sessionId, RealtimeEvent.Status(answered, MessageStatus.Answered));
        }
    }

    public void PublishTyping(string sessionId, string state) => PublishToSession(sessionId, RealtimeEvent.Typing(state));

    /// <summary>Open subscriptions on a session, or on the inbox when <paramref name="sessionId"/> is null: shows that waiters are freed.</summary>
    public int ListenerCount(string? sessionId)
    {
        lock (_lock)
        {
            return sessionId is null ? _inbox.Count : _sessions.GetValueOrDefault(sessionId)?.Count ?? 0;
        }
    }

    private void PublishToSession(string sessionId, RealtimeEvent evt) => Publish(Snapshot(sessionId), evt);

    private static void Publish(Subscription[] listeners, RealtimeEvent evt)
    {
        foreach (var listener in listeners)
        {
            listener.Offer(evt);
        }
    }

    private Subscription[] Snapshot(string? sessionId)
    {
        lock (_lock)
        {
            if (sessionId is null)
            {
                return [.. _inbox];
            }
            return _sessions.TryGetValue(sessionId, out var list) ? [.. list] : [];
        }
    }

    private Subscription Add(string? sessionId, Subscription subscription)
    {
        lock (_lock)
        {
            if (sessionId is null)
            {
                _inbox.Add(subscription);
            }
            else if (_sessions.TryGetValue(sessionId, out var list))
            {
                list.Add(subscription);
            }
            else
            {
                _sessions[sessionId] = [subscription];
            }
        }
        return subscription;
    }

    internal void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (subscription.SessionId is not { } sessionId)
            {
                _inbox.Remove(subscription);
            }
            else if (_sessions.TryGetValue(sessionId, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _sessions.Remove(sessionId);
            }
        }
    }
}

/// <summary>One listener's queue of events; disposing it unsubscribes.</summary>
internal sealed class Subscription : IDisposable
{
    private readonly NotificationHub _hub;
    private readonly Channel<RealtimeEvent> _events;
    private bool _overflowed;

    internal Subscription(NotificationHub hub, string? sessionId, int capacity, bool keepNewest)
    {
        _hub = hub;
        SessionId = sessionId;
        _events = Channel.CreateBounded<RealtimeEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = keepNewest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public string? SessionId { get; }

    public ChannelReader<RealtimeEvent> Events => _events.Reader;

    /// <summary>True once the reader fell a whole queue behind; the queue is then completed.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed);

    internal void Offer(RealtimeEvent evt)
    {
        if (!_events.Writer.TryWrite(evt))
        {
            // Set before completing, so a reader that sees the end also sees why.
            Volatile.Write(ref _overflowed, true);
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _hub.Remove(this);
        _events.Writer.TryComplete();
    }
}
