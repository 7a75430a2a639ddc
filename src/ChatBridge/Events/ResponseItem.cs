using System.Text.Json.Serialization;

namespace ChatBridge.Events;

/// <summary>A reply as polls and sockets give it.</summary>
internal record ResponseItem
{
    public long Id { get; init; }
    public string Response { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public long? MessageId { get; init; }

    /// <summary>Who wrote it: <see cref="ReplyAuthor.Agent"/> or <see cref="ReplyAuthor.Admin"/>.</summary>
    public string Author { get; init; } = ReplyAuthor.Agent;
}

/// <summary>
/// A reply as a whole conversation shows it (history, the admin transcript): with the visitor's rating and when their
/// page showed it, each left out while unset. Polls and sockets keep to <see cref="ResponseItem"/>.
/// </summary>
internal sealed record ConversationReply : ResponseItem
{
    /// <summary>The visitor's rating, <c>up</c> or <c>down</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Rating { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RatedAt { get; init; }

    /// <summary>When the visitor's page first showed it (<c>seen</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SeenAt { get; init; }
}

/// <summary>Who wrote a reply: an agent through Broca's outbox, or a person from the admin console.</summary>
internal static class ReplyAuthor
{
    public const string Agent = "agent";
    public const string Admin = "admin";
}
