using System.Text.Json.Serialization;

namespace ChatBridge.Data;

// Rows as the API shows them. Dapper fills them by column name (snake_case to PascalCase), and the
// API writes them back out in snake_case, so a column, its property and its JSON field share one name.

internal sealed record NewMessage(string SessionId, string Text, string? ClientTimestamp, long? AgentId, string? IpAddress, string? UserAgent);

internal sealed record StoredMessage(long MessageId, string SessionId, string Uid, bool IsNewUser, string Timestamp);

internal sealed record InboxMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public string Timestamp { get; init; } = "";
    public string Uid { get; init; } = "";
    public long? AgentId { get; init; }

    /// <summary>Which hand-out of the message this is; identifies the claim, so only its own lease is released.</summary>
    [JsonIgnore]
    public int DeliveryCount { get; init; }
}

/// <summary>A message whose claim ended without an answer, and how often it had been handed out.</summary>
internal sealed record LeaseChange
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public int DeliveryCount { get; init; }
}

internal sealed record InboxPage(IReadOnlyList<InboxMessage> Messages, int Total);

internal sealed record ResponseItem
{
    public long Id { get; init; }
    public string Response { get; init; } = "";
    public string Timestamp { get; init; } = "";
    public long? MessageId { get; init; }

    /// <summary>Who wrote it: <see cref="ReplyAuthor.Agent"/> or <see cref="ReplyAuthor.Admin"/>.</summary>
    public string Author { get; init; } = ReplyAuthor.Agent;
}

/// <summary>Who wrote a reply: an agent through Broca's outbox, or a person from the admin console.</summary>
internal static class ReplyAuthor
{
    public const string Agent = "agent";
    public const string Admin = "admin";
}

internal sealed record NewResponse(string SessionId, string Text, long? MessageId, string Author);

internal enum ResponseOutcome { Stored, UnknownSession, UnknownMessage }

/// <param name="AgentId">The session's agent, for the metrics.</param>
internal sealed record StoredResponse(ResponseOutcome Outcome, long ResponseId = 0, string Timestamp = "", long? MessageId = null, long? AgentId = null);

/// <summary>A reply read with its session, as an instance that did not store it needs it.</summary>
internal sealed record SessionResponse
{
    public string SessionId { get; init; } = "";
    public long Id { get; init; }
    public string Response { get; init; } = "";
    public string Timestamp { get; init; } = "";
    public long? MessageId { get; init; }
    public string Author { get; init; } = ReplyAuthor.Agent;

    public ResponseItem Item => new() { Id = Id, Response = Response, Timestamp = Timestamp, MessageId = MessageId, Author = Author };
}

internal sealed record SessionSummary
{
    public string Id { get; init; } = "";
    public string Uid { get; init; } = "";
    public string CreatedAt { get; init; } = "";
    public string LastActive { get; init; } = "";
    public string? IpAddress { get; init; }
    public string? Metadata { get; init; }
    public string Status { get; init; } = "";
    public long MessageCount { get; init; }
    public long ResponseCount { get; init; }
    public long ExhaustedCount { get; init; }
    public long? UserId { get; init; }
    public long? AgentId { get; init; }
}

internal sealed record SessionPage(IReadOnlyList<SessionSummary> Sessions, int Total);

/// <summary>
/// What <c>sessions</c> narrows the list to; a null member (or <see cref="Waiting"/> false) does not filter. <see cref="Text"/>
/// matches part of the session id, the uid, or the text of a message or reply, ignoring ASCII case.
/// </summary>
internal sealed record SessionFilter(string? ActiveSince, long? AgentId, bool Waiting, string? Text);

/// <summary>A message no reply has answered yet, as the backlog lists it.</summary>
internal sealed record BacklogMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public string Timestamp { get; init; } = "";
    public string Status { get; init; } = "";
    public string? ProcessedAt { get; init; }
    public int DeliveryCount { get; init; }
    public bool Exhausted { get; init; }
    public string Uid { get; init; } = "";
    public long? AgentId { get; init; }

    /// <summary>Seconds since the message was stored.</summary>
    public long AgeSeconds { get; init; }

    public BacklogMessage AgedAt(DateTimeOffset now) => this with
    {
        AgeSeconds = Timestamps.TryParse(Timestamp, out var stored) ? Math.Max(0, (long)Math.Round((now - stored).TotalSeconds)) : 0,
    };
}

internal sealed record BacklogPage(IReadOnlyList<BacklogMessage> Messages, int Total);

/// <summary>A user message with its delivery state: pending, delivered (Broca claimed it) or answered.</summary>
internal sealed record TranscriptMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public string Timestamp { get; init; } = "";
    public string Status { get; init; } = "";
    public string? ProcessedAt { get; init; }
    public string? AnsweredAt { get; init; }

    /// <summary>How often inbox has handed the message out (0 for messages claimed before leases existed).</summary>
    public int DeliveryCount { get; init; }

    /// <summary>Handed out as often as allowed without an answer: it stays delivered and is not handed out again.</summary>
    public bool Exhausted { get; init; }
}

internal sealed record Transcript(SessionSummary Session, IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ResponseItem> Responses);

internal sealed record Agent
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string Status { get; init; } = "";
}

internal sealed record RemainingData(long Responses, long Messages, long Sessions);

/// <summary>Messages waiting for Broca, the oldest one's timestamp, and messages claimed but not answered.</summary>
internal sealed record BacklogCounts(long Pending, string? OldestPending, long Unanswered);
