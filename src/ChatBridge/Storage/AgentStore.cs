using ChatBridge.Agents;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>The control app's agents, read only.</summary>
internal sealed class AgentStore(IDatabase db) : IAgentStore
{
    private const string Columns = "id, name, description, status, is_active, visible_to_users, visible_to_roles";

    public Task<IReadOnlyList<AgentRow>> GetAgentsAsync(CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<AgentRow>>(async sql => await sql.QueryAsync<AgentRow>($"SELECT {Columns} FROM agents ORDER BY name, id"), ct);

    public Task<AgentRow?> GetAgentAsync(long agentId, CancellationToken ct) =>
        db.ReadAsync(sql => sql.FirstOrDefaultAsync<AgentRow>($"SELECT {Columns} FROM agents WHERE id = @agentId", P("@agentId", agentId)), ct);
}
