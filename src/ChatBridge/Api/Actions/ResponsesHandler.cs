using ChatBridge.Data;
using ChatBridge.Realtime;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class ResponsesHandler(ChatRepository chats, NotificationHub hub, LongPoller poller) : IActionHandler
{
    public string Action => "responses";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.Public;

    public string? RateLimitSetting => SettingKeys.RateLimitResponses;

    public ActionDoc Doc { get; } = new(
        "Poll agent replies for a session",
        "Returns the session's replies oldest first. `after_id` (the last id you have) never misses or repeats a reply; "
        + "`since` (a timestamp, strictly after) is kept for older clients. An unknown session is created. "
        + "With `wait`, a poll that finds nothing is held until a reply arrives (answered at once) or the wait ends (empty).")
    {
        Query =
        [
            new QueryDoc("session_id", "The chat session, `session_[A-Za-z0-9_]+`, at most 64 characters.", Required: true),
            new QueryDoc("after_id", "Only replies with a larger id.", Type: "integer"),
            new QueryDoc("since", "Only replies stored strictly after this ISO-8601 time (UTC when no zone is given)."),
            new QueryDoc("wait", "Long poll: seconds to wait for a reply when there is none yet, 0 to 30 (default 0; larger is clamped to 30).", Type: "integer"),
        ],
        DataExample = """{"session_id": "session_k3f9x2m4q8w1", "responses": [{"id": 7, "response": "Hi! How can I help?", "timestamp": "2026-11-24T10:15:32.456Z", "message_id": 42}]}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var sessionId = SessionIds.FromQuery(http);
        var since = QueryParams.OptionalTimestamp(http, "since");
        var afterId = QueryParams.OptionalId(http, "after_id");
        var wait = QueryParams.Int(http, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        if ((sessionId.Error ?? since.Error ?? afterId.Error ?? wait.Error) is { } invalid)
        {
            return invalid;
        }
        var client = ClientAddress.Of(http);
        var userAgent = http.Request.Headers.UserAgent.ToString();
        using var watch = wait.Value > 0 ? hub.Watch(sessionId.Value) : null;
        var responses = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            token => chats.GetResponsesAsync(sessionId.Value, since.Value, afterId.Value, client, userAgent, token),
            found => found.Count > 0,
            ct);
        return Envelope.Ok(new { session_id = sessionId.Value, responses });
    }
}
