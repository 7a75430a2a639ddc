using ChatBridge.Data;
using ChatBridge.Events;

namespace ChatBridge.Chat;

/// <summary>Conversations as the chat page writes and reads them.</summary>
internal interface ISessionStore
{
    /// <summary>
    /// Stores a user's message, creating its session on first use, with its attachments in the same transaction: null,
    /// and nothing stored, when one of them is not an upload of the session that no message carries yet.
    /// </summary>
    Task<Written<StoredMessage>?> AddMessageAsync(NewMessage message, CancellationToken ct);

    /// <summary>
    /// The session's responses after a point, oldest first. An unknown session is created, as the Flask bridge did, so
    /// a client may poll before it has sent anything; a poll keeps the session's <c>last_active</c> fresh.
    /// </summary>
    Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, DateTimeOffset? since, long? afterId, string? ipAddress, string? userAgent, CancellationToken ct);

    /// <summary>Whom a session belongs to (an agent the control app deleted counts as none), or null for an unknown session.</summary>
    Task<SessionOwners?> FindOwnersAsync(string sessionId, CancellationToken ct);

    /// <summary>How many sessions are stored: the health check's proof that the chat tables answer.</summary>
    Task<long> CountSessionsAsync(CancellationToken ct);

    /// <summary>A session's own messages (with delivery state) and responses after an id, oldest first.</summary>
    Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ResponseItem> Responses)> GetHistoryAsync(
        string sessionId, long? afterId, CancellationToken ct);
}
