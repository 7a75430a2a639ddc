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
    public static async Task<Results<Ok<Envelope<ResponseAccepted>>, BadRequest<ErrorEnvelope>, PayloadTooLarge, JsonHttpResult<ErrorEnvelope>>> StoreAsync(
        HttpContext http, string author, long? onlyAgent, IReplyStore replies, IRealtimeBus bus, TypingTimers typing, BridgeMetrics metrics, CancellationToken ct,
        string? poller = null)
    {
        var request = await SessionBody.ReadAsync(http, BodyLimits.Authenticated, "response", ct);
        if (request.TooLarge is { } tooLarge)
        {
            return tooLarge;
        }
        if (request.Error is { } invalidRequest)
        {
            return invalidRequest;
        }
        var (body, sessionId) = request.Value;
        var text = ChatText.Required(body, "response", int.MaxValue, Errors.InvalidResponse);
        if (text.Error is { } invalidText)
        {
            return invalidText;
        }
        if (!JsonFields.OptionalId(body, "message_id", out var messageId))
        {
            return Envelope.BadRequest(Errors.InvalidMessageId);
        }
        if (!JsonFields.OptionalTimestamp(body, "timestamp", out _))
        {
            return Envelope.BadRequest(Errors.InvalidTimestamp);
        }

        var written = await replies.AddResponseAsync(new NewResponse(sessionId, text.Value, messageId, author, onlyAgent, poller), ct);
        var stored = written.Value;
        if (stored.Outcome == ResponseOutcome.Stored)
        {
            metrics.ReplySent(stored.AgentId);
            typing.StopIfActive(sessionId);
            bus.Publish(new ReplyEvent(sessionId, new ResponseItem
            {
                Id = stored.ResponseId, Response = text.Value, Timestamp = stored.Timestamp, MessageId = stored.MessageId, Author = author,
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

/// <summary>The body of <c>outbox</c>; read field by field so that each fault gets the contract's own error.</summary>
internal sealed record ReplyRequest(string SessionId, string Response, long? MessageId, string? Timestamp);

internal sealed record ResponseAccepted(long ResponseId, string SessionId, DateTimeOffset Timestamp, long? MessageId);
