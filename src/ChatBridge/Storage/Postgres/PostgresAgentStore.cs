using ChatBridge.Agents;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

internal sealed class PostgresAgentStore(NpgsqlDataSource db) : IAgentStore
{
    public async Task<IReadOnlyList<Agent>> GetActiveAgentsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Agent>(new CommandDefinition(ChatSql.ActiveAgents, cancellationToken: ct))).AsList();
    }

    public async Task<bool> IsActiveAgentAsync(long agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ChatSql.IsActiveAgent, new { agentId }, cancellationToken: ct));
    }
}
