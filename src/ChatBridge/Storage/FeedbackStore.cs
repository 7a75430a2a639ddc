using ChatBridge.Chat;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>Ratings in <c>chatbridge_feedback</c>, one row per reply; read receipts in <c>web_chat_responses.seen_at</c>.</summary>
internal sealed class FeedbackStore(IDatabase db) : IFeedbackStore
{
    private const string ReplyOfSession = "SELECT EXISTS (SELECT 1 FROM web_chat_responses WHERE id = @responseId AND session_id = @sessionId)";

    public Task<ReplyRating?> RateAsync(string sessionId, long responseId, string? rating, string? reason, DateTimeOffset now, CancellationToken ct) =>
        db.RunAsync<ReplyRating?>(async sql =>
        {
            if (!await sql.ScalarAsync<bool>(ReplyOfSession, P("@responseId", responseId), P("@sessionId", sessionId)))
            {
                return null;
            }
            if (rating is null)
            {
                await sql.ExecuteAsync("DELETE FROM chatbridge_feedback WHERE response_id = @responseId", P("@responseId", responseId));
                return new ReplyRating(responseId, "none", null, null);
            }
            await sql.ExecuteAsync("""
                INSERT INTO chatbridge_feedback (response_id, session_id, rating, reason, rated_at)
                VALUES (@responseId, @sessionId, @rating, @reason, @now)
                ON CONFLICT (response_id) DO UPDATE SET rating = excluded.rating, reason = excluded.reason, rated_at = excluded.rated_at
                """, P("@responseId", responseId), P("@sessionId", sessionId), P("@rating", rating), P("@reason", reason), P("@now", now));
            return new ReplyRating(responseId, rating, reason, now);
        }, ct);

    /// <summary>One update through <c>idx_web_chat_responses_session</c>; the existence check runs only when it marked nothing.</summary>
    public Task<int?> MarkSeenAsync(string sessionId, long responseId, DateTimeOffset now, CancellationToken ct) =>
        db.RunAsync<int?>(async sql =>
        {
            var marked = await sql.ExecuteAsync(
                "UPDATE web_chat_responses SET seen_at = @now WHERE session_id = @sessionId AND id <= @responseId AND seen_at IS NULL",
                P("@sessionId", sessionId), P("@responseId", responseId), P("@now", now));
            return marked > 0 || await sql.ScalarAsync<bool>(ReplyOfSession, P("@responseId", responseId), P("@sessionId", sessionId)) ? marked : null;
        }, ct, Durability.Committed);
}
