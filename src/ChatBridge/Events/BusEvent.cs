using ChatBridge.Realtime;

namespace ChatBridge.Events;

/// <summary>
/// A change every instance's listeners must hear of. Between instances only ids and short states travel (a PostgreSQL
/// notification holds at most 8 KB); a reply's text is read from the database by the instance that receives its id.
/// </summary>
internal abstract record BusEvent;

/// <summary>A user's message was stored: inbox long polls wake, and the admin console hears of it.</summary>
internal sealed record MessageStoredEvent(string SessionId, long MessageId) : BusEvent;

/// <summary>
/// A message's delivery changed: <see cref="MessageStatus.Delivered"/> (claimed), <see cref="MessageStatus.Pending"/>
/// (back in the inbox), <see cref="AdminEventStatus.Exhausted"/> (stuck: a working Broca left it unanswered too often)
/// or <see cref="MessageStatus.Dropped"/> (an admin took it out of the inbox).
/// </summary>
internal sealed record DeliveryEvent(string SessionId, long MessageId, string Status, int DeliveryCount) : BusEvent;

/// <summary>Messages went back to the inbox: inbox long polls wake and claim them.</summary>
internal sealed record InboxRefilledEvent : BusEvent
{
    public static readonly InboxRefilledEvent Instance = new();
}

internal sealed record ReplyEvent(string SessionId, ResponseItem Response) : BusEvent;

internal sealed record TypingEvent(string SessionId, string State) : BusEvent;

/// <summary>
/// What a visitor's page said about its session's replies: <see cref="Feedback"/> (a reply rated, rated again or
/// unrated) or <see cref="Seen"/> (replies up to <paramref name="ResponseId"/> shown). Only the admin console hears it.
/// </summary>
internal sealed record ReceiptEvent(string SessionId, long ResponseId, string Type) : BusEvent
{
    public const string Feedback = "feedback";

    public const string Seen = "seen";
}

/// <summary>
/// A setting (a key, a limit) was changed, by this bridge or, on PostgreSQL, by any program (a trigger announces every
/// write to <c>system_config</c>): every instance reads the settings afresh on its next request.
/// </summary>
internal sealed record SettingsChangedEvent : BusEvent
{
    public static readonly SettingsChangedEvent Instance = new();
}

/// <summary>
/// This instance read from the database what it may have missed of the other instances' events (its listener dropped,
/// a sender's sequence skipped, a sender's queue overflowed). Replies and the inbox are caught up that way; the admin
/// console's changes, which only the events carry, are not, so its consoles reload everything. Never sent between
/// instances: each finds out for itself.
/// </summary>
internal sealed record CaughtUpEvent : BusEvent
{
    public static readonly CaughtUpEvent Instance = new();
}

/// <summary>Tells every instance, this one included, of a committed change. Publishing never blocks.</summary>
internal interface IRealtimeBus
{
    void Publish(BusEvent evt);

    /// <summary>
    /// Whether every event another instance publishes reaches this one now: always with a single instance; with
    /// several, only while the link between them holds. A copy kept on the strength of events is safe only then.
    /// </summary>
    bool HearsEveryInstance { get; }
}
