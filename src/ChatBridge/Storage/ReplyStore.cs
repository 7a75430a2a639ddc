using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// Replies into conversations, an agent's or a person's. The rule that links a reply to its message lives here once:
/// a reply that names its message answers that one, any other the session's oldest delivered, unanswered message,
/// since Broca answers messages in the order it claims them. The session is locked for the write on an engine with
/// concurrent writers, so two replies to one session never both take the same message.
/// </summary>
internal sealed class ReplyStore(IDatabase db, ISqlDialect dialect, TimeProvider time) : IReplyStore
{
    public Task<Written<StoredResponse>> AddResponseAsync(NewResponse response, CancellationToken ct)
    {
        // Drawn before the write, as a new session's uid is (ConversationStore).
        var responseKey = ChatSql.NewResponseKey();
        return db.WriteAsync(async sql =>
        {
            var sessionId = response.SessionId;
            var session = await sql.QueryAsync<SessionAgent>(dialect.LockSessionAgent, P("@sessionId", sessionId));
            if (session.Count == 0)
            {
                return new StoredResponse(ResponseOutcome.UnknownSession);
            }
            if (response.OnlyAgent is { } onlyAgent && session[0].AgentId != onlyAgent)
            {
                return new StoredResponse(ResponseOutcome.OtherAgent);
            }
            var messageId = response.MessageId;
            if (messageId is not null)
            {
                if (!await sql.ScalarAsync<bool>(ChatSql.MessageInSession, P("@messageId", messageId), P("@sessionId", sessionId)))
                {
                    return new StoredResponse(ResponseOutcome.UnknownMessage);
                }
            }
            else
            {
                messageId = await sql.ScalarAsync<long?>(ChatSql.OldestUnanswered, P("@sessionId", sessionId));
            }
            var now = Timestamps.Now(time);
            var id = await sql.ScalarAsync<long>(ChatSql.InsertResponse,
                P("@sessionId", sessionId), P("@messageId", messageId), P("@text", response.Text),
                P("@responseKey", responseKey), P("@now", now), P("@author", response.Author));
            await sql.ExecuteAsync(ChatSql.MarkAnswered, P("@messageId", messageId), P("@now", now), P("@poller", response.Poller));
            await sql.ExecuteAsync(ChatSql.TouchAnsweredSession, P("@sessionId", sessionId), P("@now", now));
            return new StoredResponse(ResponseOutcome.Stored, id, now, messageId, session[0].AgentId);
        }, Durability.Synced, ct);
    }

    public Task<(string SessionId, ResponseItem Response)?> GetResponseAsync(long responseId, CancellationToken ct) =>
        db.ReadAsync<(string, ResponseItem)?>(async sql =>
            await sql.FirstOrDefaultAsync<SessionResponse>(ChatSql.ResponseById, P("@responseId", responseId)) is { } row
                ? (row.SessionId, row.Item)
                : null, ct);

    public Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesAsync(IReadOnlyList<long> responseIds, CancellationToken ct) =>
        responseIds.Count == 0
            ? Task.FromResult<IReadOnlyList<(string, ResponseItem)>>([])
            : db.ReadAsync<IReadOnlyList<(string, ResponseItem)>>(async sql =>
                [.. (await sql.QueryAsync<SessionResponse>(ChatSql.ResponsesByIds(responseIds.Count),
                    [.. responseIds.Select((id, i) => P($"@id{i}", id))])).Select(r => (r.SessionId, r.Item))], ct);

    public Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesSinceAsync(DateTimeOffset since, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<(string, ResponseItem)>>(async sql =>
            [.. (await sql.QueryAsync<SessionResponse>(ChatSql.ResponsesSince, P("@since", since))).Select(r => (r.SessionId, r.Item))], ct);

    private sealed record SessionAgent
    {
        public long? AgentId { get; init; }
    }
}
