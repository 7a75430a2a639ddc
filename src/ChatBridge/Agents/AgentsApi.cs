using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Agents;

/// <summary>The agents a visitor can chat with, for the chat UI's picker.</summary>
internal static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this RouteGroupBuilder api)
    {
        var chat = api.MapGroup("").WithTags(ChatTag.Name).RequireCors(Cors.Public);

        chat.MapGet("/agents", GetAgents)
            .WithName("agents")
            .WithSummary("List the agents users can chat with")
            .WithDescription("The control database's active agents, for the chat UI's agent picker. May be empty.")
            .WithExamples(data: new AgentList([new Agent { Id = 1, Name = "Athena", Description = "Research and writing", Status = "active" }]))
            .RateLimited(Limits.Agents);

        return api;
    }

    private static async Task<Ok<Envelope<AgentList>>> GetAgents(IAgentStore agents, CancellationToken ct) =>
        Envelope.Ok(new AgentList(await agents.GetActiveAgentsAsync(ct)));
}

internal sealed record AgentList(IReadOnlyList<Agent> Agents);
