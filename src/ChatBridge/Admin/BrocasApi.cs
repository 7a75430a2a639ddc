using ChatBridge.Agents;
using ChatBridge.Http;
using ChatBridge.Presence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Admin;

/// <summary><c>brocas</c>: each agent's Broca as the admin console shows it: whether it polls, and what waits for it.</summary>
internal static class BrocasApi
{
    public static RouteGroupBuilder MapBrocasApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapGet("/brocas", ListBrocas)
            .WithName("brocas")
            .WithSummary("Each agent's Broca: last poll, online, backlog (admin)")
            .WithDescription("One item per active agent (and per inactive one with messages waiting): `last_poll_at`, the newest inbox poll "
                + "that counts for it (its own key's, or the service-wide key's, which polls for every agent), `online` as `agents` reports "
                + "it, `backlog` (its sessions' messages not answered or dropped yet, claimed or not) and `oldest_waiting_at`. An item with "
                + "`agent_id` null counts the messages of sessions without an agent. `service_key` is the service-wide key's own last poll.")
            .WithExamples(data: new BrocaList(
                [new BrocaStatus(1, "Athena", Example.At("2026-11-24T10:15:28.000Z"), Online: true, Backlog: 2, Example.At("2026-11-24T10:15:30.123Z"))],
                new ServiceKeyPoll(null, Online: false)));

        return api;
    }

    private static async Task<Ok<Envelope<BrocaList>>> ListBrocas(IAgentStore agents, BrocaPresence presence, IPresenceStore store, CancellationToken ct)
    {
        var polls = await presence.PollsAsync(ct);
        var backlog = (await store.BacklogAsync(ct)).ToDictionary(b => b.AgentId ?? 0);
        var known = await agents.GetAgentsAsync(ct);
        var items = known
            .Where(a => a.IsActive || backlog.ContainsKey(a.Id))
            .Select(a => new BrocaStatus(a.Id, a.Name, BrocaPresence.LastPollFor(polls, a.Id), presence.IsOnline(polls, a.Id),
                backlog.GetValueOrDefault(a.Id)?.Waiting ?? 0, backlog.GetValueOrDefault(a.Id)?.OldestWaitingAt))
            .ToList();
        // Sessions without an agent, or of an agent the control app deleted: any Broca with the service-wide key answers them.
        var orphaned = backlog.Values.Where(b => b.AgentId is null || known.All(a => a.Id != b.AgentId)).ToList();
        if (orphaned.Count > 0)
        {
            var servicePoll = polls.GetValueOrDefault(BrocaPresence.ServiceKey)?.LastPollAt;
            items.Add(new BrocaStatus(null, null, servicePoll, presence.IsOnline(polls, BrocaPresence.ServiceKey),
                orphaned.Sum(b => b.Waiting), orphaned.Min(b => b.OldestWaitingAt)));
        }
        var service = polls.GetValueOrDefault(BrocaPresence.ServiceKey);
        return Envelope.Ok(new BrocaList(items, new ServiceKeyPoll(service?.LastPollAt, presence.IsOnline(polls, BrocaPresence.ServiceKey))));
    }
}

internal sealed record BrocaStatus(long? AgentId, string? Name, DateTimeOffset? LastPollAt, bool Online, long Backlog, DateTimeOffset? OldestWaitingAt);

internal sealed record ServiceKeyPoll(DateTimeOffset? LastPollAt, bool Online);

internal sealed record BrocaList(IReadOnlyList<BrocaStatus> Brocas, ServiceKeyPoll ServiceKey);
