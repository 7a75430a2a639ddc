using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class SessionsHandler(ChatRepository chats, TimeProvider time) : IActionHandler
{
    public string Action => "sessions";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => SettingKeys.RateLimitSessions;

    public ActionDoc Doc { get; } = new(
        "List chat sessions (admin)",
        "Sessions newest activity first, with message and response counts. `active=true` (the default) lists sessions "
        + "active within `session_timeout`; `active=false` lists all.")
    {
        Query =
        [
            new QueryDoc("limit", "Page size: default 50, clamped to 100.", Type: "integer"),
            new QueryDoc("offset", "Sessions to skip: default 0.", Type: "integer"),
            new QueryDoc("active", "`true` (default) or `false`.", Type: "boolean"),
        ],
        DataExample = """{"sessions": [{"id": "session_k3f9x2m4q8w1", "uid": "3f2a9c0b7d1e4f68", "created_at": "2026-11-24T10:15:30.123Z", "last_active": "2026-11-24T10:20:00.000Z", "ip_address": "127.0.0.1", "metadata": {}, "status": "active", "message_count": 3, "response_count": 2, "user_id": null, "agent_id": 1}], "pagination": {"total": 1, "limit": 50, "offset": 0, "has_more": false}}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var limit = QueryParams.Int(http, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(http, "offset", fallback: 0, min: 0);
        var active = QueryParams.Bool(http, "active", fallback: true);
        if ((limit.Error ?? offset.Error ?? active.Error) is { } invalid)
        {
            return invalid;
        }
        var activeSince = active.Value
            ? Timestamps.Format(time.GetUtcNow().AddSeconds(-settings.SessionTimeoutSeconds))
            : null;
        var page = await chats.ListSessionsAsync(activeSince, limit.Value, offset.Value, ct);
        return Envelope.Ok(new
        {
            sessions = page.Sessions.Select(SessionView.From),
            pagination = new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Sessions.Count < page.Total),
        });
    }
}
