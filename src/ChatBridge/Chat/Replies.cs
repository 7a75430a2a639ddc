using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Chat;

/// <summary>
/// A reply into a conversation, read and stored alike whoever wrote it: Broca's <c>outbox</c> (an agent) and the admin
/// console's <c>reply</c> (a person). The user's open pages get it at once.
/// </summary>
internal static class Replies
{
    /// <param name="onlyAgent">An agent's own Broca key: a session of another agent (or of none) is refused with a 403.</param>
    /// <param name="poller">The Broca that answers (see <c>Inbox.Pollers</c>); null for a person.</param>
    public static async Task<Results<Ok<Envelope<ResponseAccepted>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> StoreAsync(
        ReplyRequest request, string author, long? onlyAgent, IReplyStore replies, IRealtimeBus bus, TypingTimers typing, BridgeMetrics metrics,
        CancellationToken ct, string? poller = null)
    {
        var (sessionId, text, messageId, _) = request;
        var written = await replies.AddResponseAsync(new NewResponse(sessionId, text, messageId, author, onlyAgent, poller), ct);
        var stored = written.Value;
        if (stored.Outcome == ResponseOutcome.Stored)
        {
            metrics.ReplySent(stored.AgentId);
            typing.StopIfActive(sessionId);
            bus.Publish(new ReplyEvent(sessionId, new ResponseItem
            {
                Id = stored.ResponseId, Response = text, Timestamp = stored.Timestamp, MessageId = stored.MessageId, Author = author,
            }));
            await written.Durable;
        }
        return stored.Outcome switch
        {
            ResponseOutcome.UnknownSession => Envelope.BadRequest(Errors.InvalidSession),
            ResponseOutcome.UnknownMessage => Envelope.BadRequest(Errors.InvalidMessageId),
            ResponseOutcome.OtherAgent => Envelope.Forbidden(Errors.SessionOfAnotherAgent),
            _ => Envelope.Ok(new ResponseAccepted(stored.ResponseId, sessionId, stored.Timestamp, stored.MessageId)),
        };
    }
}

/// <summary>The body of <c>outbox</c> and of the admin's <c>reply</c>.</summary>
/// <param name="Response">Trimmed, not empty.</param>
/// <param name="MessageId">The message answered; without it, the session's oldest delivered, unanswered one.</param>
/// <param name="Timestamp">Broca's own time: checked, not stored (the bridge's clock orders replies).</param>
internal sealed record ReplyRequest(string SessionId, string Response, long? MessageId, string? Timestamp) : IJsonRequest<ReplyRequest>
{
    public static int MaxBytes => BodyLimits.Authenticated;

    public static ValueTask<Parsed<ReplyRequest>> ReadAsync(RequestFields body, HttpContext http) => ValueTask.FromResult(Read(body));

    private static Parsed<ReplyRequest> Read(RequestFields body)
    {
        var sessionId = SessionField.Read(body, "response");
        if (sessionId.Error is not null)
        {
            return sessionId.Forward<ReplyRequest>();
        }
        var text = ChatText.Required(body, "response", int.MaxValue, Errors.InvalidResponse);
        if (text.Error is not null)
        {
            return text.Forward<ReplyRequest>();
        }
        if (!body.OptionalId("message_id", out var messageId))
        {
            return Parsed<ReplyRequest>.Fail(Envelope.BadRequest(Errors.InvalidMessageId));
        }
        return body.OptionalTimestamp("timestamp", out var timestamp)
            ? Parsed<ReplyRequest>.Ok(new ReplyRequest(sessionId.Value, text.Value, messageId, timestamp))
            : Parsed<ReplyRequest>.Fail(Envelope.BadRequest(Errors.InvalidTimestamp));
    }
}

internal sealed record ResponseAccepted(long ResponseId, string SessionId, DateTimeOffset Timestamp, long? MessageId);
