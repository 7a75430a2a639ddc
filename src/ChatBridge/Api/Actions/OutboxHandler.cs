using ChatBridge.Data;
using ChatBridge.Realtime;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class OutboxHandler(ChatRepository chats, NotificationHub hub, TypingTimers typing) : IActionHandler
{
    public string Action => "outbox";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.ApiKey;

    public string? RateLimitSetting => SettingKeys.RateLimitOutbox;

    public ActionDoc Doc { get; } = new(
        "Post an agent reply (Broca)",
        "Stores a reply for the session's user. Without `message_id` the reply answers the session's oldest delivered, "
        + "unanswered message. An unknown session is `Invalid session`. A success is 200.")
    {
        BodyExample = """{"session_id": "session_k3f9x2m4q8w1", "response": "Hi! How can I help?"}""",
        DataExample = """{"response_id": 7, "session_id": "session_k3f9x2m4q8w1", "timestamp": "2026-11-24T10:15:32.456Z"}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var request = await SessionBody.ReadAsync(http, BodyLimits.Authenticated, "response", ct);
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

        var stored = await chats.AddResponseAsync(new NewResponse(sessionId, text.Value, messageId), reply =>
        {
            typing.StopIfActive(sessionId);
            hub.PublishResponse(sessionId, new ResponseItem { Id = reply.ResponseId, Response = text.Value, Timestamp = reply.Timestamp, MessageId = reply.MessageId });
        }, ct);
        switch (stored.Outcome)
        {
            case ResponseOutcome.UnknownSession:
                return Envelope.BadRequest(Errors.InvalidSession);
            case ResponseOutcome.UnknownMessage:
                return Envelope.BadRequest(Errors.InvalidMessageId);
        }
        return Envelope.Ok(new ResponseAccepted(stored.ResponseId, sessionId, stored.Timestamp, stored.MessageId));
    }

    private sealed record ResponseAccepted(long ResponseId, string SessionId, string Timestamp, long? MessageId);
}
