using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// Replies into conversations, an agent's or a person's. The rule that links a reply to its message lives here once:
/// a reply that names its message answers that one, any other the session's oldest delivered, unanswered message,
/// since Broca answers messages in the order it claims them. The session's touch comes first and locks its row on an
/// engine with concurrent writers, so two replies to one session never both take the same message. Three statements:
/// the touch, the reply, the answer; on PostgreSQL the usual reply is one (<see cref="ISqlDialect.TryStoreUsualReplyAsync"/>).
/// </summary>
internal sealed class ReplyStore(IDatabase db, ISqlDialect dialect, TimeProvider time) : IReplyStore
{
    public async Task<Written<StoredResponse>> AddResponseAsync(NewResponse response, CancellationToken ct)
    {
        // Drawn before the write, as a new session's uid is (ConversationStore).
        var responseKey = ChatSql.NewResponseKey();
        if (await dialect.TryStoreUsualReplyAsync(db, response, responseKey, Timestamps.Now(time), ct) is { } usual)
        {
            return usual;
        }
        try
        {
            return await db.WriteAsync(async sql =>
            {
                var sessionId = response.SessionId;
                var now = Timestamps.Now(time);
                var session = await sql.QueryAsync<SessionAgent>(ChatSql.TouchRepliedSession, P("@sessionId", sessionId), P("@now", now));
                if (session.Count == 0)
                {
                    return new StoredResponse(ResponseOutcome.UnknownSession);
                }
                // Refused after the touch: thrown, so the write (and the touch with it) is rolled back.
                if (response.OnlyAgent is { } onlyAgent && session[0].AgentId != onlyAgent)
                {
                    throw new RefusedWriteException<ResponseOutcome>(ResponseOutcome.OtherAgent);
                }
                var stored = await sql.FirstOrDefaultAsync<InsertedResponse>(ChatSql.InsertResponse,
                    P("@sessionId", sessionId), P("@messageId", response.MessageId), P("@text", response.Text),
                    P("@responseKey", responseKey), P("@now", now), P("@author", response.Author))
                    ?? throw new RefusedWriteException<ResponseOutcome>(ResponseOutcome.UnknownMessage);
                if (stored.MessageId is { } messageId)
                {
                    await sql.ExecuteAsync(ChatSql.MarkAnswered, P("@messageId", messageId), P("@now", now), P("@poller", response.Poller));
                }
                return new StoredResponse(ResponseOutcome.Stored, stored.Id, now, stored.MessageId, session[0].AgentId);
            }, Durability.Synced, ct);
        }
        catch (RefusedWriteException<ResponseOutcome> refused)
        {
            return Written<StoredResponse>.Durably(new StoredResponse(refused.Reason));
        }
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

    private sealed record InsertedResponse
    {
        public long Id { get; init; }

        public long? MessageId { get; init; }
    }
}
