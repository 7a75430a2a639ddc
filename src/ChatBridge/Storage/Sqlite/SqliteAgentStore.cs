using ChatBridge.Agents;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

internal sealed class SqliteAgentStore(Db db) : IAgentStore
{
    public async Task<IReadOnlyList<Agent>> GetActiveAgentsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<Agent>(new CommandDefinition(ChatSql.ActiveAgents, cancellationToken: ct))).AsList();
    }

    public async Task<bool> IsActiveAgentAsync(long agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ChatSql.IsActiveAgent, new { agentId }, cancellationToken: ct));
    }
}
