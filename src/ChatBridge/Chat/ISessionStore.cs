using ChatBridge.Data;
using ChatBridge.Events;

namespace ChatBridge.Chat;

/// <summary>Conversations as the chat page writes and reads them.</summary>
internal interface ISessionStore
{
    /// <summary>
    /// Stores a user's message, creating its session on first use (bound to the message's token), with its attachments
    /// in the same transaction. Nothing is stored, and the refusal says why, when one of them is not an upload of the
    /// session that no message carries yet, or when the session is bound to another token. A repeated
    /// <c>client_message_id</c> stores nothing and gives back the first message.
    /// </summary>
    Task<(Written<StoredMessage>? Written, MessageRefusal Refusal)> AddMessageAsync(NewMessage message, CancellationToken ct);

    /// <summary>
    /// The session's responses after a point, oldest first. An unknown session is created, as the Flask bridge did, so
    /// a client may poll before it has sent anything (bound to <paramref name="tokenHash"/> when one is given); a poll
    /// keeps the session's <c>last_active</c> fresh.
    /// </summary>
    Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, DateTimeOffset? since, long? afterId, string? ipAddress, string? userAgent, string? tokenHash, CancellationToken ct);

    /// <summary>Whom a session belongs to (an agent the control app deleted counts as none), or null for an unknown session.</summary>
    Task<SessionOwners?> FindOwnersAsync(string sessionId, CancellationToken ct);

    /// <summary>How many sessions are stored: the health check's proof that the chat tables answer.</summary>
    Task<long> CountSessionsAsync(CancellationToken ct);

    /// <summary>A session's own messages (with delivery state) and responses after an id, oldest first.</summary>
    Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses)> GetHistoryAsync(
        string sessionId, long? afterId, CancellationToken ct);
}
