using ChatBridge.Data;
using ChatBridge.Realtime;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class TypingHandler(ChatRepository chats, TypingTimers typing) : IActionHandler
{
    public string Action => "typing";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.ApiKey;

    /// <summary>Broca only, and cheap (no write): limiting it would just make the indicator unreliable.</summary>
    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "Show or hide the typing indicator (Broca)",
        "Pushes a `typing` event to the session's WebSockets. A `start` without a `stop` ends by itself after a short "
        + "timeout (15 s by default), and a reply ends it too. An unknown session is `Invalid session`.")
    {
        BodyExample = """{"session_id": "session_k3f9x2m4q8w1", "state": "start"}""",
        DataExample = """{"session_id": "session_k3f9x2m4q8w1", "state": "start"}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var request = await SessionBody.ReadAsync(http, BodyLimits.Authenticated, "state", ct);
        if (request.Error is { } invalidRequest)
        {
            return invalidRequest;
        }
        var (body, sessionId) = request.Value;
        if (JsonFields.String(body, "state", out var state) != FieldState.Present || state is not (TypingState.Start or TypingState.Stop))
        {
            return Envelope.BadRequest(Errors.InvalidTypingState);
        }
        if (!await chats.SessionExistsAsync(sessionId, ct))
        {
            return Envelope.BadRequest(Errors.InvalidSession);
        }
        if (state == TypingState.Start)
        {
            typing.Start(sessionId);
        }
        else
        {
            typing.Stop(sessionId);
        }
        return Envelope.Ok(new { session_id = sessionId, state });
    }
}
