using ChatBridge.Data;
using ChatBridge.Events;
namespace ChatBridge.Chat;

/// <summary>Replies into conversations, an agent's or a person's.</summary>
internal interface IReplyStore
{
    /// <summary>
    /// Stores a reply. Without an explicit <c>message_id</c> it answers the session's oldest delivered, unanswered message,
    /// since Broca answers messages in the order it claims them. An unknown session or message stores nothing.
    /// </summary>
    Task<Written<StoredResponse>> AddResponseAsync(NewResponse response, CancellationToken ct);

    /// <summary>One reply by id with its session, or null: a reply another program wrote.</summary>
    Task<(string SessionId, ResponseItem Response)?> GetResponseAsync(long responseId, CancellationToken ct);

    /// <summary>The replies of these ids that exist, with their sessions, oldest first: what other instances announced.</summary>
    Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesAsync(IReadOnlyList<long> responseIds, CancellationToken ct);

    /// <summary>Replies stored since <paramref name="since"/> (a timestamp), oldest first: what an instance missed while it could not listen.</summary>
    Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesSinceAsync(DateTimeOffset since, CancellationToken ct);
}
