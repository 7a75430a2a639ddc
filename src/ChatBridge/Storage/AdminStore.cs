using ChatBridge.Admin;
using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Http;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>Conversations as the admin console lists and reads them, and their clean-up.</summary>
internal sealed class AdminStore(IDatabase db, ISqlDialect dialect, PollTouches touches, SessionGuard guard, AttachmentFolder folder) : IAdminStore
{
    /// <summary>The count and the page come from one snapshot, so they agree.</summary>
    public Task<SessionPage> ListSessionsAsync(SessionFilter filter, int limit, int offset, CancellationToken ct)
    {
        SqlParam[] filters =
        [
            P("@activeSince", filter.ActiveSince), P("@agentId", filter.AgentId), P("@waiting", filter.Waiting ? 1 : 0),
            P("@pattern", ChatSql.LikePattern(filter.Text)), P("@rated", filter.Rated),
        ];
        return db.ReadSnapshotAsync(async sql => new SessionPage(
            await sql.QueryAsync<SessionSummary>(ChatSql.ListSessions(dialect.CaseInsensitiveLike), [.. filters, P("@limit", limit), P("@offset", offset)]),
            await sql.ScalarAsync<int>(ChatSql.CountSessions(dialect.CaseInsensitiveLike), filters)), ct);
    }

    public Task<BacklogPage> GetBacklogAsync(DateTimeOffset now, int limit, int offset, CancellationToken ct) =>
        db.ReadSnapshotAsync(async sql =>
        {
            var total = await sql.ScalarAsync<int>(ChatSql.CountUnanswered);
            var messages = await sql.QueryAsync<BacklogMessage>(ChatSql.UnansweredMessages, P("@limit", limit), P("@offset", offset));
            return new BacklogPage([.. messages.Select(m => m.AgedAt(now))], total);
        }, ct);

    public Task<Transcript?> GetTranscriptAsync(string sessionId, CancellationToken ct) =>
        db.ReadSnapshotAsync(async sql =>
        {
            if (await sql.FirstOrDefaultAsync<SessionSummary>(ChatSql.SessionSummary, P("@sessionId", sessionId)) is not { } session)
            {
                return null;
            }
            var (messages, responses) = await ConversationStore.ReadConversationAsync(sql, sessionId, afterId: null);
            return new Transcript(session, messages, responses);
        }, ct);

    /// <summary>A folder's files go once their rows are committed gone: a failed write leaves every file its row needs.</summary>
    public async Task<int> DeleteIdleSessionsAsync(DateTimeOffset idleBefore, CancellationToken ct)
    {
        var (sessions, files) = await db.RunAsync(async sql =>
        {
            var files = await sql.QueryAsync<string>(AttachmentSql.DeleteIdle(ChatSql.IdleSessions), P("@idleBefore", idleBefore));
            await sql.ExecuteAsync(ChatSql.DeleteIdleChildren, P("@idleBefore", idleBefore));
            return (await sql.ExecuteAsync(ChatSql.DeleteIdleSessions, P("@idleBefore", idleBefore)), files);
        }, ct);
        folder.Delete(files);
        return sessions;
    }

    public async Task<RemainingData> DeleteAllChatDataAsync(CancellationToken ct)
    {
        var remaining = await db.RunAsync(async sql =>
        {
            await sql.ExecuteAsync(dialect.DeleteAllChatData);
            return (await sql.FirstOrDefaultAsync<RemainingData>(ChatSql.RemainingChatData))!;
        }, ct);
        // Polls on deleted sessions must find out (and recreate them) rather than trust the memory.
        touches.Forget();
        guard.Forget();
        folder.DeleteAll();
        return remaining;
    }
}
