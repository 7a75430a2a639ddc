namespace ChatBridge.Agents;

/// <summary>The control app's agents, read only.</summary>
internal interface IAgentStore
{
    Task<IReadOnlyList<Agent>> GetActiveAgentsAsync(CancellationToken ct);

    Task<bool> IsActiveAgentAsync(long agentId, CancellationToken ct);
}
