using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class CleanupHandler(ChatRepository chats, TimeProvider time) : IActionHandler
{
    public string Action => "cleanup";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "Delete idle sessions (admin)",
        "Deletes sessions idle longer than `session_timeout` with their messages and responses, but never a session "
        + "holding a message Broca has not picked up yet.")
    {
        DataExample = """{"cleaned_count": 3, "message": "Cleaned up 3 inactive sessions"}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var idleBefore = Timestamps.Format(time.GetUtcNow().AddSeconds(-settings.SessionTimeoutSeconds));
        var cleaned = await chats.DeleteIdleSessionsAsync(idleBefore, ct);
        return Envelope.Ok(new { cleaned_count = cleaned, message = $"Cleaned up {cleaned} inactive sessions" });
    }
}
