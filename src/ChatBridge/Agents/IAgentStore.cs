namespace ChatBridge.Agents;

/// <summary>The control app's agents, read on every request so that a change made there shows at once, on every instance.</summary>
internal interface IAgentStore
{
    /// <summary>Every agent, ordered by name then id; who may use which is <see cref="AgentRow.IsUsableBy"/>.</summary>
    Task<IReadOnlyList<AgentRow>> GetAgentsAsync(CancellationToken ct);

    Task<AgentRow?> GetAgentAsync(long agentId, CancellationToken ct);
}
