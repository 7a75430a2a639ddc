using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Http;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// Conversations as the chat page writes and reads them. A poll, which runs most, touches the session only when its
/// activity time is stale (<see cref="PollTouches"/>), so polling stays a read nearly always.
/// </summary>
internal sealed class ConversationStore(IDatabase db, ISqlDialect dialect, PollTouches touches, TimeProvider time) : ISessionStore
{
    public async Task<(Written<StoredMessage>? Written, MessageRefusal Refusal)> AddMessageAsync(NewMessage message, CancellationToken ct)
    {
        // Drawn before the write: the random bytes cost a system call, which the single writer need not wait for.
        var newUid = ChatSql.NewUid();
        if (await dialect.TryStoreUsualMessageAsync(db, message, newUid, Timestamps.Now(time), ct) is { } usual)
        {
            return (usual, MessageRefusal.None);
        }
        try
        {
            return (await db.WriteAsync(async sql =>
            {
                var stored = await dialect.StoreMessageAsync(sql, message, newUid, Timestamps.Now(time));
                // The guard read the session before this write; a session another request created since, bound to
                // another token, is caught here, and the write with it.
                if (stored.SessionTokenHash is { } bound && !message.ByOwnership && !SessionToken.HashesMatch(bound, message.TokenHash))
                {
                    throw new RefusedWriteException<MessageRefusal>(MessageRefusal.InvalidSessionToken);
                }
                if (stored.Duplicate)
                {
                    return stored;
                }
                var attachments = message.Attachments ?? [];
                for (var position = 0; position < attachments.Count; position++)
                {
                    if (await sql.ExecuteAsync(AttachmentSql.Attach, P("@messageId", stored.MessageId), P("@position", position),
                        P("@publicId", attachments[position]), P("@sessionId", message.SessionId)) != 1)
                    {
                        throw new RefusedWriteException<MessageRefusal>(MessageRefusal.InvalidAttachments);
                    }
                }
                return stored;
            }, Durability.Synced, ct), MessageRefusal.None);
        }
        catch (RefusedWriteException<MessageRefusal> refused)
        {
            // Thrown inside the write, so the message went with it: the message and its attachments are stored together or not at all.
            return (null, refused.Reason);
        }
    }

    /// <summary>The hottest read there is: one statement, after the session's touch when one is due.</summary>
    public async Task<IReadOnlyList<ResponseItem>> GetResponsesAsync(
        string sessionId, DateTimeOffset? since, long? afterId, string? ipAddress, string? userAgent, string? tokenHash, CancellationToken ct)
    {
        await KeepSessionAliveAsync(sessionId, ipAddress, userAgent, tokenHash, ct);
        return await db.ReadStatementAsync<IReadOnlyList<ResponseItem>>(async sql =>
            await sql.QueryAsync<ResponseItem>(ChatSql.SessionResponses, P("@sessionId", sessionId), P("@since", since), P("@afterId", afterId)), ct);
    }

    private async Task KeepSessionAliveAsync(string sessionId, string? ipAddress, string? userAgent, string? tokenHash, CancellationToken ct)
    {
        var now = Timestamps.Now(time);
        if (touches.IsFresh(sessionId, now))
        {
            return;
        }
        var stored = await db.ReadAsync(sql => sql.FirstOrDefaultAsync<SessionActivity>(ChatSql.SessionActivity, P("@sessionId", sessionId)), ct);
        switch (touches.Decide(sessionId, stored?.LastActive, exists: stored is not null, now))
        {
            case PollTouch.Create:
                await db.RunAsync(write => write.ExecuteAsync(ChatSql.CreateSessionIfMissing,
                    P("@sessionId", sessionId), P("@uid", ChatSql.NewUid()), P("@agentId", (long?)null),
                    P("@ipAddress", ipAddress), P("@userAgent", userAgent), P("@now", now), P("@tokenHash", tokenHash)), ct, Durability.Committed);
                touches.Touched(sessionId, now);
                break;
            case PollTouch.Refresh:
                await db.RunAsync(write => write.ExecuteAsync(ChatSql.TouchSession, P("@sessionId", sessionId), P("@now", now)), ct, Durability.Committed);
                touches.Touched(sessionId, now);
                break;
        }
    }

    public Task<SessionOwners?> FindOwnersAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(sql => sql.FirstOrDefaultAsync<SessionOwners>(ChatSql.SessionOwners, P("@sessionId", sessionId)), ct);

    public Task<long> CountSessionsAsync(CancellationToken ct) =>
        db.ProbeAsync(async sql => await sql.ScalarAsync<long>(ChatSql.CountAllSessions), ct);

    public Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses)> GetHistoryAsync(
        string sessionId, long? afterId, CancellationToken ct) =>
        db.ReadSnapshotAsync(sql => ReadConversationAsync(sql, sessionId, afterId), ct);

    /// <summary>A session's messages with their delivery state and its replies, read in one snapshot by the caller.</summary>
    public static async Task<(IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses)> ReadConversationAsync(
        ISqlSession sql, string sessionId, long? afterId)
    {
        var messages = await sql.QueryAsync<TranscriptMessage>(ChatSql.ConversationMessages, P("@sessionId", sessionId), P("@afterId", afterId));
        var responses = await sql.QueryAsync<ConversationReply>(ChatSql.ConversationResponses, P("@sessionId", sessionId), P("@afterId", afterId));
        var attachments = AttachmentStore.ByMessage(
            await sql.QueryAsync<AttachmentRow>(AttachmentSql.OfSession, P("@sessionId", sessionId), P("@afterId", afterId)));
        return ([.. messages.Select(m => attachments.Contains(m.Id) ? m with { Attachments = [.. attachments[m.Id]] } : m)], responses);
    }

    private sealed record SessionActivity
    {
        public DateTimeOffset? LastActive { get; init; }
    }
}
