using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Replies on PostgreSQL. The session's row is locked for the transaction, so two replies to one session (from two
/// instances, say) never both take the same oldest unanswered message.
/// </summary>
internal sealed class PostgresReplyStore(NpgsqlDataSource db, TimeProvider time) : IReplyStore
{
    private const string LockSession = "SELECT agent_id FROM web_chat_sessions WHERE session_id = @sessionId FOR UPDATE";

    public async Task<Written<StoredResponse>> AddResponseAsync(NewResponse response, CancellationToken ct)
    {
        var sessionId = response.SessionId;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var session = (await connection.QueryAsync<long?>(new CommandDefinition(LockSession, new { sessionId }, tx, cancellationToken: ct))).ToList();
        if (session.Count == 0)
        {
            return Written<StoredResponse>.Durably(new StoredResponse(ResponseOutcome.UnknownSession));
        }
        var messageId = response.MessageId;
        if (messageId is not null)
        {
            if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ChatSql.MessageInSession, new { messageId, sessionId }, tx, cancellationToken: ct)))
            {
                return Written<StoredResponse>.Durably(new StoredResponse(ResponseOutcome.UnknownMessage));
            }
        }
        else
        {
            messageId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ChatSql.OldestUnanswered, new { sessionId }, tx, cancellationToken: ct));
        }
        var now = Timestamps.Now(time);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ChatSql.InsertResponse, new
        {
            sessionId,
            messageId,
            text = response.Text,
            responseKey = ChatSql.NewResponseKey(),
            now,
            author = response.Author,
        }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(ChatSql.MarkAnswered, new { messageId, now }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(ChatSql.TouchAnsweredSession, new { sessionId, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return Written<StoredResponse>.Durably(new StoredResponse(ResponseOutcome.Stored, id, now, messageId, session[0]));
    }

    public async Task<(string SessionId, ResponseItem Response)?> GetResponseAsync(long responseId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<SessionResponse>(new CommandDefinition(
            ChatSql.ResponseById, new { responseId }, cancellationToken: ct));
        return row is null ? null : (row.SessionId, row.Item);
    }

    public async Task<IReadOnlyList<(string SessionId, ResponseItem Response)>> GetResponsesSinceAsync(string since, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<SessionResponse>(new CommandDefinition(ChatSql.ResponsesSince, new { since }, cancellationToken: ct));
        return [.. rows.Select(r => (r.SessionId, r.Item))];
    }
}
