namespace ChatBridge.Chat;

/// <summary>Visitors' ratings of replies and their pages' read receipts.</summary>
internal interface IFeedbackStore
{
    /// <summary>
    /// Sets (or, with a null <paramref name="rating"/>, removes) the rating of reply <paramref name="responseId"/> of
    /// the session; null when the session has no such reply.
    /// </summary>
    Task<ReplyRating?> RateAsync(string sessionId, long responseId, string? rating, string? reason, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Marks the session's replies up to <paramref name="responseId"/> seen at <paramref name="now"/>, each only the
    /// first time; how many were newly marked, or null when the session has no such reply.
    /// </summary>
    Task<int?> MarkSeenAsync(string sessionId, long responseId, DateTimeOffset now, CancellationToken ct);
}

/// <summary>A reply's rating as <c>feedback</c> answers it: <c>rating</c> is <c>none</c>, and the rest null, once removed.</summary>
internal sealed record ReplyRating(long ResponseId, string Rating, string? Reason, DateTimeOffset? RatedAt);
