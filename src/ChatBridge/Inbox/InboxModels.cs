using System.Text.Json.Serialization;
using ChatBridge.Attachments;

namespace ChatBridge.Inbox;

internal sealed record InboxMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public string Uid { get; init; } = "";
    public long? AgentId { get; init; }

    /// <summary>Which hand-out of the message this is; identifies the claim, so only its own lease is released.</summary>
    [JsonIgnore]
    public int DeliveryCount { get; init; }

    /// <summary>What the message carries; Broca reads them as lines of <see cref="Message"/>, one per attachment.</summary>
    [JsonIgnore]
    public IReadOnlyList<AttachmentView> Attachments { get; init; } = [];
}

/// <summary>A message whose claim ended without an answer, how often it had been handed out, and its strikes.</summary>
internal sealed record LeaseChange
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public int DeliveryCount { get; init; }
    public int Strikes { get; init; }

    /// <summary>Whether this lapse added a strike: the Broca that held the message went on working without answering it.</summary>
    public bool Struck { get; init; }
}

/// <summary>What an admin's drop or retry found: no such message, one already settled, or the message as it is now.</summary>
internal enum SettleOutcome { Done, UnknownMessage, AlreadyAnswered, AlreadyDropped }

internal sealed record SettledMessage(SettleOutcome Outcome, LeaseChange? Message = null);

internal sealed record InboxPage(IReadOnlyList<InboxMessage> Messages, int Total);

/// <summary>Messages waiting for Broca, the oldest one's timestamp, messages claimed but not answered, and stuck ones.</summary>
internal sealed record BacklogCounts(long Pending, DateTimeOffset? OldestPending, long Unanswered, long Stuck);
