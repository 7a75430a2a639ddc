using ChatBridge.Data;
using ChatBridge.Realtime;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class MessagesHandler(ChatRepository chats, NotificationHub hub) : IActionHandler
{
    private const int MaxUserAgentLength = 512;

    public string Action => "messages";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.Public;

    public string? RateLimitSetting => SettingKeys.RateLimitMessages;

    public ActionDoc Doc { get; } = new(
        "Send a user message",
        "Stores a message from the chat UI for Broca to pick up from the inbox. The session is created on first use. "
        + "`message` is trimmed and must hold 1 to `max_message_length` characters; `agent_id` must name an active agent.")
    {
        BodyExample = """{"session_id": "session_k3f9x2m4q8w1", "message": "Hello, Athena!", "timestamp": "2026-11-24T10:15:30.123Z", "agent_id": 1}""",
        DataExample = """{"message_id": 42, "session_id": "session_k3f9x2m4q8w1", "timestamp": "2026-11-24T10:15:30.123Z", "uid": "3f2a9c0b7d1e4f68", "is_new_user": true}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var request = await SessionBody.ReadAsync(http, BodyLimits.Public, "message", ct);
        if (request.Error is { } invalidRequest)
        {
            return invalidRequest;
        }
        var (body, sessionId) = request.Value;
        var text = ChatText.Required(body, "message", settings.MaxMessageLength, Errors.InvalidMessage);
        if (text.Error is { } invalidText)
        {
            return invalidText;
        }
        if (!JsonFields.OptionalTimestamp(body, "timestamp", out var clientTimestamp))
        {
            return Envelope.BadRequest(Errors.InvalidTimestamp);
        }
        if (!JsonFields.OptionalId(body, "agent_id", out var agentId)
            || (agentId is { } id && !await chats.IsActiveAgentAsync(id, ct)))
        {
            return Envelope.BadRequest(Errors.InvalidAgentId);
        }

        string userAgent = http.Request.Headers.UserAgent.ToString();
        var stored = await chats.AddMessageAsync(
            new NewMessage(sessionId, text.Value, clientTimestamp, agentId, ClientAddress.Of(http), userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)]),
            _ => hub.PublishMessageStored(),
            ct);
        return Envelope.Ok(new MessageAccepted(stored.MessageId, stored.SessionId, clientTimestamp ?? stored.Timestamp, stored.Uid, stored.IsNewUser));
    }

    private sealed record MessageAccepted(long MessageId, string SessionId, string Timestamp, string Uid, bool IsNewUser);
}
