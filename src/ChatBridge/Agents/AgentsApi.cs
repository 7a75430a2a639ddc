using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Agents;

/// <summary>The agents a visitor can chat with, for the chat UI's picker.</summary>
internal static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this RouteGroupBuilder api)
    {
        var chat = api.MapGroup("").WithTags(ChatTag.Name).RequireCors(Cors.Public).RequireSignInWhenPrivate();

        chat.MapGet("/agents", GetAgents)
            .WithName("agents")
            .WithSummary("List the agents users can chat with")
            .WithDescription("The agents the caller may chat with, for the chat UI's agent picker: those the control app marks active, "
                + "open to everyone or, for a signed-in caller, those whose visibility names them or their role (an admin sees all). "
                + "`status` is the control app's label, such as `Healthy`. May be empty.")
            .WithExamples(data: new AgentList([new Agent { Id = 1, Name = "Athena", Description = "Research and writing", Status = "Healthy" }]))
            .RateLimited(Limits.Agents);

        return api;
    }

    private static async Task<Ok<Envelope<AgentList>>> GetAgents(HttpContext http, IAgentStore agents, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        return Envelope.Ok(new AgentList([.. (await agents.GetAgentsAsync(ct)).Where(a => a.IsUsableBy(caller)).Select(a => a.View)]));
    }
}

internal sealed record AgentList(IReadOnlyList<Agent> Agents);
