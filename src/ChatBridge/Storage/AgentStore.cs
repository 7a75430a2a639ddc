using ChatBridge.Agents;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>The control app's agents, read only.</summary>
internal sealed class AgentStore(IDatabase db) : IAgentStore
{
    public Task<IReadOnlyList<Agent>> GetActiveAgentsAsync(CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<Agent>>(async sql => await sql.QueryAsync<Agent>(ChatSql.ActiveAgents), ct);

    public Task<bool> IsActiveAgentAsync(long agentId, CancellationToken ct) =>
        db.ReadAsync(async sql => await sql.ScalarAsync<bool>(ChatSql.IsActiveAgent, P("@agentId", agentId)), ct);
}
