using ChatBridge.Data;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class AgentsHandler(ChatRepository chats) : IActionHandler
{
    public string Action => "agents";

    public ActionMethods Methods => ActionMethods.Get;

    public Access Access => Access.Public;

    public string? RateLimitSetting => SettingKeys.RateLimitResponses;

    public ActionDoc Doc { get; } = new(
        "List the agents users can chat with",
        "The control database's active agents, for the chat UI's agent picker. May be empty.")
    {
        DataExample = """{"agents": [{"id": 1, "name": "Athena", "description": "Research and writing", "status": "active"}]}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct) =>
        Envelope.Ok(new { agents = await chats.GetActiveAgentsAsync(ct) });
}
