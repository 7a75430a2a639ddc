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
}

internal sealed record NewResponse(string SessionId, string Text, long? MessageId);

internal enum ResponseOutcome { Stored, UnknownSession, UnknownMessage }

internal sealed record StoredResponse(ResponseOutcome Outcome, long ResponseId = 0, string Timestamp = "", long? MessageId = null);

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
