namespace ChatBridge.Data;

/// <summary>Conversations as the chat page and the admin console read them, and their clean-up.</summary>
internal interface ISessionStore
{
    /// <summary>
    /// The session's responses after a point, oldest first. An unknown session is created, as the Flask bridge did, so
    /// a client may poll before it has sent anything; a poll keeps the session's <c>last_active</c> fresh.
    /// </summary>
    Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, string? since, long? afterId, string? ipAddress, string? userAgent, CancellationToken ct);

    Task<bool> SessionExistsAsync(string sessionId, CancellationToken ct);

    /// <summary>How many sessions are stored: the health check's proof that the chat tables answer.</summary>
    Task<long> CountSessionsAsync(CancellationToken ct);

    /// <summary>Sessions newest activity first, narrowed by <paramref name="filter"/>.</summary>
    Task<SessionPage> ListSessionsAsync(SessionFilter filter, int limit, int offset, CancellationToken ct);

    /// <summary>
    /// Messages no reply has answered yet, oldest first, with their age at <paramref name="now"/> in whole seconds:
    /// pending, delivered, and exhausted (handed out as often as allowed), which only a person can still answer.
    /// </summary>
    Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct);

    /// <summary>Everything stored for one session, or null when there is no such session.</summary>
    Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct);

    /// <summary>A session's own messages (with delivery state) and responses after an id, oldest first.</summary>
    Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ResponseItem> Responses)> GetHistoryAsync(
        string sessionId, long? afterId, CancellationToken ct);

    /// <summary>
    /// Deletes sessions idle since before <paramref name="idleBefore"/> with their messages and responses, except those
    /// holding a message Broca has not picked up yet or may still be handed again (a live lease).
    /// </summary>
    Task<int> DeleteIdleSessionsAsync(string idleBefore, CancellationToken ct);

    /// <summary>Deletes every chat row; the control app's tables are not touched.</summary>
    Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct);
}
