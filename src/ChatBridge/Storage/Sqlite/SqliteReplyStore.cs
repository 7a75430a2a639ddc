using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>Replies on SQLite, written by the single writer so that linking a reply to its message cannot race another.</summary>
internal sealed class SqliteReplyStore(Db db, WriteQueue writes, TimeProvider time) : IReplyStore
{
    public Task<Written<StoredResponse>> AddResponseAsync(NewResponse response, CancellationToken ct) =>
        writes.WriteAsync(writer =>
        {
            var sessionId = response.SessionId;
            var agent = writer.Statement(ChatSql.SessionAgent, ("@sessionId", sessionId)).ExecuteScalar();
            if (agent is null)
            {
                return new StoredResponse(ResponseOutcome.UnknownSession);
            }
            long? messageId = response.MessageId;
            if (messageId is not null)
            {
                if (writer.Statement(ChatSql.MessageInSession, ("@messageId", messageId), ("@sessionId", sessionId)).ExecuteScalar() is not long exists
                    || exists == 0)
                {
                    return new StoredResponse(ResponseOutcome.UnknownMessage);
                }
            }
            else
            {
                messageId = writer.Statement(ChatSql.OldestUnanswered, ("@sessionId", sessionId)).ExecuteScalar() as long?;
            }
            var now = Timestamps.Now(time);
            var id = (long)writer.Statement(
                ChatSql.InsertResponse,
                ("@sessionId", sessionId),
                ("@messageId", messageId),
                ("@text", response.Text),
                ("@responseKey", ChatSql.NewResponseKey()),
                ("@now", now),
                ("@author", response.Author)).ExecuteScalar()!;
            writer.Statement(ChatSql.MarkAnswered, ("@messageId", messageId), ("@now", now)).ExecuteNonQuery();
            writer.Statement(ChatSql.TouchAnsweredSession, ("@sessionId", sessionId), ("@now", now)).ExecuteNonQuery();
            return new StoredResponse(ResponseOutcome.Stored, id, now, messageId, agent as long?);
        }, Durability.Synced, ct);

    public async Task<(string SessionId, ResponseItem Response)?> GetResponseAsync(long responseId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<SessionResponse>(new CommandDefinition(
            ChatSql.ResponseById, new { responseId }, cancellationToken: ct));
        return row is null ? null : (row.SessionId, row.Item);
    }

    public async Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesSinceAsync(string since, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<SessionResponse>(new CommandDefinition(ChatSql.ResponsesSince, new { since }, cancellationToken: ct));
        return [.. rows.Select(r => (r.SessionId, r.Item))];
    }
}
