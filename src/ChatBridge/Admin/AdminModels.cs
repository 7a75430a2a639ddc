using ChatBridge.Chat;
using ChatBridge.Events;

namespace ChatBridge.Admin;

internal sealed record SessionSummary
{
    public string Id { get; init; } = "";
    public string Uid { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastActive { get; init; }
    public string? IpAddress { get; init; }
    public string? Metadata { get; init; }
    public string Status { get; init; } = "";
    public long MessageCount { get; init; }
    public long ResponseCount { get; init; }
    public long ExhaustedCount { get; init; }
    public long? UserId { get; init; }
    public string? Username { get; init; }
    public long? AgentId { get; init; }

    /// <summary>Its signed-in owner took it off their list (<c>hide_session</c>); the admin still sees it.</summary>
    public DateTimeOffset? HiddenAt { get; init; }
}

internal sealed record SessionPage(IReadOnlyList<SessionSummary> Sessions, int Total);

/// <summary>
/// What <c>sessions</c> narrows the list to; a null member (or <see cref="Waiting"/> false) does not filter. <see cref="Text"/>
/// matches part of the session id, the uid, or the text of a message or reply, ignoring ASCII case.
/// </summary>
/// <param name="Rated">Only sessions with a reply the visitor rated so (<c>up</c> or <c>down</c>).</param>
internal sealed record SessionFilter(DateTimeOffset? ActiveSince, long? AgentId, bool Waiting, string? Text, string? Rated = null);

/// <summary>A message no reply has answered yet, as the backlog lists it.</summary>
internal sealed record BacklogMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset? ProcessedAt { get; init; }
    public int DeliveryCount { get; init; }
    public int Strikes { get; init; }
    public bool Exhausted { get; init; }

    /// <summary>For a stuck message, when it may be handed out again; null for any other.</summary>
    public DateTimeOffset? NextDeliveryAt { get; init; }

    public string Uid { get; init; } = "";
    public long? AgentId { get; init; }

    /// <summary>Seconds since the message was stored.</summary>
    public long AgeSeconds { get; init; }

    public BacklogMessage AgedAt(DateTimeOffset now) => this with
    {
        AgeSeconds = Math.Max(0, (long)Math.Round((now - Timestamp).TotalSeconds)),
    };
}

internal sealed record BacklogPage(IReadOnlyList<BacklogMessage> Messages, int Total);

internal sealed record Transcript(SessionSummary Session, IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses);

internal sealed record RemainingData(long Responses, long Messages, long Sessions);
