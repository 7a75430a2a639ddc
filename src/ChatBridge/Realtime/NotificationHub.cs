using System.Threading.Channels;
using ChatBridge.Events;

namespace ChatBridge.Realtime;

/// <summary>
/// This process's fan-out behind WebSockets and long polls, fed by <see cref="IRealtimeBus"/> with the events of every
/// instance. Events are published after their write has committed, so a listener woken by one always finds the row it
/// announces. Delivering never blocks: each listener has its own bounded queue.
/// </summary>
internal sealed class NotificationHub(AdminFeed adminFeed)
{
    private const int WatchCapacity = 8;

    /// <summary>The admin console's topic among the sessions' ones; no session id can take this form.</summary>
    public const string AdminTopic = "*admin";

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

    /// <summary>Every session's changes, for the admin console's long poll, which then reads <see cref="AdminFeed"/>.</summary>
    public Subscription WatchAdmin() => Add(AdminTopic, new Subscription(this, AdminTopic, WatchCapacity, keepNewest: true));

    /// <summary>Raised when a setting changed on any instance.</summary>
    public event Action? SettingsChanged;

    /// <summary>Hands an event of any instance to this process's listeners.</summary>
    public void Deliver(BusEvent evt)
    {
        switch (evt)
        {
            case MessageStoredEvent stored:
                WakeInbox();
                PublishToAdmin(new AdminEvent("message", stored.SessionId, MessageId: stored.MessageId));
                break;
            case DeliveryEvent delivery:
                PublishDelivery(delivery);
                break;
            case InboxRefilledEvent:
                WakeInbox();
                break;
            case ReplyEvent reply:
                PublishResponse(reply.SessionId, reply.Response);
                break;
            case TypingEvent typing:
                PublishToSession(typing.SessionId, RealtimeEvent.Typing(typing.State));
                break;
            case ReceiptEvent receipt:
                PublishToAdmin(new AdminEvent(receipt.Type, receipt.SessionId, ResponseId: receipt.ResponseId));
                break;
            case SettingsChangedEvent:
                SettingsChanged?.Invoke();
                break;
            case CaughtUpEvent:
                adminFeed.StartOver();
                Publish(Snapshot(AdminTopic), RealtimeEvent.AdminChanged);
                break;
        }
    }

    private void WakeInbox() => Publish(Snapshot(null), RealtimeEvent.MessageStored);

    /// <summary>
    /// Delivered and pending-again reach the session's pages and the console; exhausted only the console, since only a
    /// person can answer such a message now.
    /// </summary>
    private void PublishDelivery(DeliveryEvent delivery)
    {
        if (delivery.Status != AdminEventStatus.Exhausted)
        {
            PublishToSession(delivery.SessionId, RealtimeEvent.Status(delivery.MessageId, delivery.Status, delivery.DeliveryCount));
        }
        PublishToAdmin(new AdminEvent("status", delivery.SessionId, MessageId: delivery.MessageId, Status: delivery.Status));
    }

    private void PublishResponse(string sessionId, ResponseItem response)
    {
        PublishToSession(sessionId, RealtimeEvent.Response(response));
        if (response.MessageId is { } answered)
        {
            PublishToSession(sessionId, RealtimeEvent.Status(answered, MessageStatus.Answered));
        }
        PublishToAdmin(new AdminEvent("response", sessionId, MessageId: response.MessageId, ResponseId: response.Id, Author: response.Author));
    }

    /// <summary>Open subscriptions on a session, or on the inbox when <paramref name="sessionId"/> is null: shows that waiters are freed.</summary>
    public int ListenerCount(string? sessionId)
    {
        lock (_lock)
        {
            return sessionId is null ? _inbox.Count : _sessions.GetValueOrDefault(sessionId)?.Count ?? 0;
        }
    }

    private void PublishToSession(string sessionId, RealtimeEvent evt) => Publish(Snapshot(sessionId), evt);

    /// <summary>Recorded in the feed first, so a console woken by the signal always finds the event there.</summary>
    private void PublishToAdmin(AdminEvent evt)
    {
        adminFeed.Append(evt);
        Publish(Snapshot(AdminTopic), RealtimeEvent.AdminChanged);
    }

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
