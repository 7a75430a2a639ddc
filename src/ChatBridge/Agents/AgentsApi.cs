using ChatBridge.Http;
using ChatBridge.Presence;
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
                + "`status` is the control app's label, such as `Healthy`. `online`: the agent's Broca (its own key, or the service-wide "
                + "one) polled the inbox within three of its usual poll intervals (long-poll `wait` included; at least 3 s). "
                + "`typical_reply_seconds`: the median time from a message to its answer over the agent's messages answered in the last "
                + "24 hours (refreshed every 30 s), null without any. May be empty.")
            .WithExamples(data: new AgentList([new Agent { Id = 1, Name = "Athena", Description = "Research and writing", Status = "Healthy", Online = true, TypicalReplySeconds = 4.2 }]))
            .RateLimited(Limits.Agents);

        return api;
    }

    private static async Task<Ok<Envelope<AgentList>>> GetAgents(HttpContext http, IAgentStore agents, BrocaPresence presence, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var usable = (await agents.GetAgentsAsync(ct)).Where(a => a.IsUsableBy(caller)).ToList();
        if (usable.Count == 0)
        {
            return Envelope.Ok(new AgentList([]));
        }
        var polls = await presence.PollsAsync(ct);
        var replyTimes = await presence.TypicalReplySecondsAsync(ct);
        return Envelope.Ok(new AgentList([.. usable.Select(a => a.View with
        {
            Online = presence.IsOnline(polls, a.Id),
            TypicalReplySeconds = replyTimes.TryGetValue(a.Id, out var seconds) ? Math.Round(seconds, 1) : null,
        })]));
    }
}

internal sealed record AgentList(IReadOnlyList<Agent> Agents);
