using ChatBridge.Delivery;
using ChatBridge.Realtime;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class InboxHandler(InboxDelivery delivery, NotificationHub hub, LongPoller poller) : IActionHandler
{
    public string Action => "inbox";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.ApiKey;

    public string? RateLimitSetting => SettingKeys.RateLimitInbox;

    public ActionDoc Doc { get; } = new(
        "Claim new user messages (Broca)",
        "Returns unprocessed messages oldest first and marks them processed in the same step: concurrent pollers never hold "
        + "the same message at once. A claim is a lease: a message not answered within `ChatBridge:Inbox:ClaimTimeout` is "
        + "handed out again (same id, text, timestamp and uid), up to `ChatBridge:Inbox:MaxDeliveries` times, and an answer "
        + "that could not be written to its poller releases its messages at once. An empty inbox is a 200 with `messages: []`. "
        + "With `wait`, an empty inbox holds the request until a message arrives (answered at once) or the wait ends (empty).")
    {
        Query =
        [
            new QueryDoc("limit", "How many messages at most: default 50, larger values are clamped to 100.", Type: "integer"),
            new QueryDoc("offset", "Unprocessed messages to skip: default 0.", Type: "integer"),
            new QueryDoc("since", "Only messages stored strictly after this ISO-8601 time."),
            new QueryDoc("wait", "Long poll: seconds to wait for a message when there is none, 0 to 30 (default 0; larger is clamped to 30).", Type: "integer"),
        ],
        DataExample = """{"messages": [{"id": 42, "session_id": "session_k3f9x2m4q8w1", "message": "Hello, Athena!", "timestamp": "2026-11-24T10:15:30.123Z", "uid": "3f2a9c0b7d1e4f68", "agent_id": 1}], "pagination": {"total": 1, "limit": 50, "offset": 0, "has_more": false}}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var limit = QueryParams.Int(http, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(http, "offset", fallback: 0, min: 0);
        var since = QueryParams.OptionalTimestamp(http, "since");
        var wait = QueryParams.Int(http, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        if ((limit.Error ?? offset.Error ?? since.Error ?? wait.Error) is { } invalid)
        {
            return invalid;
        }
        using var watch = wait.Value > 0 ? hub.WatchInbox() : null;
        var page = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            token => delivery.ClaimAsync(limit.Value, offset.Value, since.Value, token),
            found => found.Messages.Count > 0,
            ct);
        if (page.Messages.Count > 0)
        {
            // A poller that hangs up before its answer is written never gets these: they go back now, not at lease end.
            // The watch ends with the request, so a later abort of the same connection cannot touch a delivered answer.
            var release = http.RequestAborted.Register(() => delivery.Release(page.Messages));
            http.Response.OnCompleted(() =>
            {
                release.Dispose();
                return Task.CompletedTask;
            });
        }
        return Envelope.Ok(new
        {
            messages = page.Messages,
            pagination = new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Messages.Count < page.Total),
        });
    }
}
