using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class HistoryHandler(ChatRepository chats) : IActionHandler
{
    public string Action => "history";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.Public;

    public string? RateLimitSetting => SettingKeys.RateLimitResponses;

    public ActionDoc Doc { get; } = new(
        "A session's conversation, for a reloaded page",
        "The session's messages, each with its delivery status (`pending`, `delivered` once Broca claimed it, `answered`), "
        + "and its responses, oldest first. `after_id` keeps only items with a larger id (messages and responses each by their own id). "
        + "An unknown session has an empty history.")
    {
        Query =
        [
            new QueryDoc("session_id", "The chat session.", Required: true),
            new QueryDoc("after_id", "Only items with a larger id.", Type: "integer"),
        ],
        DataExample = """{"session_id": "session_k3f9x2m4q8w1", "messages": [{"id": 42, "session_id": "session_k3f9x2m4q8w1", "message": "Hello", "timestamp": "2026-11-24T10:15:30.123Z", "status": "answered", "processed_at": "2026-11-24T10:15:31.000Z", "answered_at": "2026-11-24T10:15:32.456Z"}], "responses": [{"id": 7, "response": "Hi!", "timestamp": "2026-11-24T10:15:32.456Z", "message_id": 42}]}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var sessionId = SessionIds.FromQuery(http);
        var afterId = QueryParams.OptionalId(http, "after_id");
        if ((sessionId.Error ?? afterId.Error) is { } invalid)
        {
            return invalid;
        }
        var (messages, responses) = await chats.GetHistoryAsync(sessionId.Value, afterId.Value, ct);
        return Envelope.Ok(new { session_id = sessionId.Value, messages, responses });
    }
}
