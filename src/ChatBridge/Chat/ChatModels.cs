using ChatBridge.Attachments;
using ChatBridge.Events;

namespace ChatBridge.Chat;

// Rows as the API shows them. Dapper fills them by column name (snake_case to PascalCase), and the
// API writes them back out in snake_case, so a column, its property and its JSON field share one name.

/// <param name="UserId">The signed-in author: a new session becomes theirs, and so does one that belonged to no one.</param>
/// <param name="Attachments">Ids of the session's uploads the message carries, in order; none of them may be carried already.</param>
/// <param name="TokenHash">The request's <c>X-Session-Token</c> hash: a session this message creates is bound to it.</param>
/// <param name="ByOwnership">The guard let the session's signed-in owner in without its token.</param>
/// <param name="ClientMessageId">The client's id for this send: a second send with it stores nothing and answers the first.</param>
internal sealed record NewMessage(
    string SessionId, string Text, string? ClientTimestamp, long? AgentId, string? IpAddress, string? UserAgent, long? UserId = null,
    IReadOnlyList<string>? Attachments = null, string? TokenHash = null, bool ByOwnership = false, string? ClientMessageId = null);

internal sealed record SessionOwners
{
    public long? AgentId { get; init; }
    public long? UserId { get; init; }
}

/// <param name="ClientTimestamp">What the client sent as the message's time, echoed in the answer.</param>
/// <param name="SessionTokenHash">The token hash the session is bound to, checked in the write against the request's.</param>
/// <param name="Duplicate">The client sent this <c>client_message_id</c> before: this is that message, nothing new was stored.</param>
internal sealed record StoredMessage(
    long MessageId, string SessionId, string Uid, bool IsNewUser, DateTimeOffset Timestamp, string? ClientTimestamp = null,
    string? SessionTokenHash = null, bool Duplicate = false);

/// <summary>Why <c>messages</c> stored nothing.</summary>
internal enum MessageRefusal { None, InvalidAttachments, InvalidSessionToken }

/// <param name="OnlyAgent">An agent's own Broca key: the reply is stored only into a session of that agent.</param>
/// <param name="Poller">The Broca whose reply it is, recorded with the message it answers; null for a person's.</param>
internal sealed record NewResponse(string SessionId, string Text, long? MessageId, string Author, long? OnlyAgent = null, string? Poller = null);

internal enum ResponseOutcome { Stored, UnknownSession, UnknownMessage, OtherAgent }

/// <param name="AgentId">The session's agent, for the metrics.</param>
internal sealed record StoredResponse(ResponseOutcome Outcome, long ResponseId = 0, DateTimeOffset Timestamp = default, long? MessageId = null, long? AgentId = null);

/// <summary>A reply read with its session, as an instance that did not store it needs it.</summary>
internal sealed record SessionResponse
{
    public string SessionId { get; init; } = "";
    public long Id { get; init; }
    public string Response { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public long? MessageId { get; init; }
    public string Author { get; init; } = ReplyAuthor.Agent;

    public ResponseItem Item => new() { Id = Id, Response = Response, Timestamp = Timestamp, MessageId = MessageId, Author = Author };
}

/// <summary>A user message with its delivery state: pending, delivered (Broca claimed it), answered, or dropped by an admin.</summary>
internal sealed record TranscriptMessage
{
    public long Id { get; init; }
    public string SessionId { get; init; } = "";
    public string Message { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset? ProcessedAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>How often inbox has handed the message out (0 for messages claimed before leases existed).</summary>
    public int DeliveryCount { get; init; }

    /// <summary>Lapses that count against the message: its Broca went on working and still left it unanswered.</summary>
    public int Strikes { get; init; }

    /// <summary>Stuck: <c>MaxDeliveries</c> strikes or more. It is still handed out (after a back-off) until answered, dropped or retried.</summary>
    public bool Exhausted { get; init; }

    public IReadOnlyList<AttachmentView> Attachments { get; init; } = [];
}
