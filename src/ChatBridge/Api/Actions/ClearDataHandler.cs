using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class ClearDataHandler(ChatRepository chats, BridgeRateLimiter limiter, ILogger<ClearDataHandler> logger) : IActionHandler
{
    public string Action => "clear_data";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "Delete all chat data (admin)",
        "Deletes every chat session, message, response and rate-limit count. Users, agents and settings are kept.")
    {
        DataExample = """{"message": "All chat data cleared", "remaining_data": {"responses": 0, "messages": 0, "sessions": 0}}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        var remaining = await chats.DeleteAllChatDataAsync(ct);
        limiter.Reset();
        logger.LogWarning("All chat data cleared by an admin from {Client}", ClientAddress.Of(http));
        return Envelope.Ok(new { message = "All chat data cleared", remaining_data = remaining });
    }
}
