namespace ChatBridge.Admin;

/// <summary>Conversations as the admin console lists and reads them, and their clean-up.</summary>
internal interface IAdminStore
{
    /// <summary>Sessions newest activity first, narrowed by <paramref name="filter"/>.</summary>
    Task<SessionPage> ListSessionsAsync(SessionFilter filter, int limit, int offset, CancellationToken ct);

    /// <summary>
    /// Messages no reply has answered yet and no admin has dropped, oldest first, with their age at <paramref name="now"/>
    /// in whole seconds: pending, delivered, and stuck (a working Broca left them unanswered too often).
    /// </summary>
    Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct);

    /// <summary>Everything stored for one session, or null when there is no such session.</summary>
    Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct);

    /// <summary>
    /// Deletes sessions idle since before <paramref name="idleBefore"/> with their messages and responses, except those
    /// holding a message Broca has not picked up yet or may still be handed again (a live lease).
    /// </summary>
    Task<int> DeleteIdleSessionsAsync(DateTimeOffset idleBefore, CancellationToken ct);

    /// <summary>Deletes every chat row; the control app's tables are not touched.</summary>
    Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct);
}
