using ChatBridge.Access;
using ChatBridge.Http;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Admin;

/// <summary>
/// Broca keys of single agents: Sanctum runs one Broca per agent, and the key its <c>WEB_CHAT_API_KEY</c> holds decides
/// which agent's messages it gets.
/// </summary>
internal static class AgentKeyApi
{
    public static RouteGroupBuilder MapAgentKeyApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapPost("/agent_key", ReplaceKey)
            .WithName("agent_key")
            .WithSummary("Make an agent's own Broca key (admin)")
            .WithDescription("Creates or replaces the Broca key of agent `agent_id` and returns it this once (only its SHA-256 is kept). "
                + "With it, `inbox` hands out only that agent's messages and `outbox`/`typing` accept only its sessions. The agent's earlier "
                + "key stops working at once. An agent that does not exist is `Invalid agent_id`.")
            .WithExamples(new AgentKeyRequest(1), new AgentKeyIssued(1, "v5bX0mQ2c9Jr7LwT1yHk8dNfA3sGpZe6uRiOoKjE4Mw"));

        admin.MapGet("/agent_keys", ListKeys)
            .WithName("agent_keys")
            .WithSummary("Which agents have their own Broca key (admin)")
            .WithDescription("Every agent, with when its own key was made (`key_created_at`, null without one). Never the keys themselves.")
            .WithExamples(data: new AgentKeyList([new AgentKeyState { AgentId = 1, Name = "Athena", IsActive = true, KeyCreatedAt = Example.At("2026-11-24T10:15:30.123Z") }]));

        return api;
    }

    private static async Task<Results<Ok<Envelope<AgentKeyIssued>>, BadRequest<ErrorEnvelope>>> ReplaceKey(
        Body<AgentKeyRequest> body, HttpContext http, IAgentKeyStore keys, TimeProvider time, ILogger<AgentKeyIssued> logger, CancellationToken ct)
    {
        var id = body.Value.AgentId;
        var key = KeyBootstrapper.NewKey();
        if (!await keys.ReplaceAsync(id, AgentKeys.Digest(key), time.GetUtcNow(), ct))
        {
            return Envelope.BadRequest(Errors.InvalidAgentId);
        }
        logger.LogInformation("New Broca key made for agent {AgentId} from {Client}", id, ClientAddress.Of(http));
        return Envelope.Ok(new AgentKeyIssued(id, key));
    }

    private static async Task<Ok<Envelope<AgentKeyList>>> ListKeys(IAgentKeyStore keys, CancellationToken ct) =>
        Envelope.Ok(new AgentKeyList(await keys.ListAsync(ct)));
}

internal sealed record AgentKeyRequest(long AgentId) : IJsonRequest<AgentKeyRequest>
{
    public static int MaxBytes => BodyLimits.Authenticated;

    public static ValueTask<Parsed<AgentKeyRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        var id = body.RequiredId("agent_id", Errors.InvalidAgentId);
        return ValueTask.FromResult(id.Error is null ? Parsed<AgentKeyRequest>.Ok(new AgentKeyRequest(id.Value)) : id.Forward<AgentKeyRequest>());
    }
}

internal sealed record AgentKeyIssued(long AgentId, string ApiKey);

internal sealed record AgentKeyList(IReadOnlyList<AgentKeyState> Agents);
