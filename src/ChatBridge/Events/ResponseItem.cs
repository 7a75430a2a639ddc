namespace ChatBridge.Events;

internal sealed record ResponseItem
{
    public long Id { get; init; }
    public string Response { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
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
