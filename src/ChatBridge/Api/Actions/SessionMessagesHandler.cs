using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class SessionMessagesHandler(ChatRepository chats) : IActionHandler
{
    public string Action => "session_messages";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "A session's whole transcript (admin)",
        "The session, its messages with delivery state, and its responses, oldest first. An unknown session is a 404.")
    {
        Query = [new QueryDoc("session_id", "The chat session.", Required: true)],
        NotFoundError = Errors.SessionNotFound,
        DataExample = """{"session": {"id": "session_k3f9x2m4q8w1", "uid": "3f2a9c0b7d1e4f68", "metadata": {}, "message_count": 1, "response_count": 1}, "messages": [{"id": 42, "session_id": "session_k3f9x2m4q8w1", "message": "Hello", "timestamp": "2026-11-24T10:15:30.123Z", "status": "answered", "processed_at": "2026-11-24T10:15:31.000Z", "answered_at": "2026-11-24T10:15:32.456Z"}], "responses": [{"id": 7, "response": "Hi!", "timestamp": "2026-11-24T10:15:32.456Z", "message_id": 42}]}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var sessionId = SessionIds.FromQuery(http);
        if (sessionId.Error is { } invalid)
        {
            return invalid;
        }
        if (await chats.GetTranscriptAsync(sessionId.Value, ct) is not { } transcript)
        {
            return Envelope.Fail(StatusCodes.Status404NotFound, Errors.SessionNotFound);
        }
        return Envelope.Ok(new
        {
            session = SessionView.From(transcript.Session),
            messages = transcript.Messages,
            responses = transcript.Responses,
        });
    }
}
