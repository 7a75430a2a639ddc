using ChatBridge.Access;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>The agents' Broca keys in <c>chatbridge_agent_keys</c>, joined to the control app's <c>agents</c> on every use.</summary>
internal sealed class AgentKeyStore(IDatabase db) : IAgentKeyStore
{
    public Task<long?> FindAgentAsync(string keyDigest, CancellationToken ct) =>
        db.ReadAsync(sql => sql.ScalarAsync<long?>("""
            SELECT a.id FROM chatbridge_agent_keys k JOIN agents a ON a.id = k.agent_id
            WHERE k.key_hash = @digest AND COALESCE(a.is_active, TRUE)
            """, P("@digest", keyDigest)), ct);

    public Task<bool> ReplaceAsync(long agentId, string keyDigest, DateTimeOffset now, CancellationToken ct) =>
        db.RunAsync(async sql =>
            await sql.ExecuteAsync("""
                INSERT INTO chatbridge_agent_keys (agent_id, key_hash, created_at)
                SELECT id, @digest, @now FROM agents WHERE id = @agentId
                ON CONFLICT (agent_id) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at
                """, P("@agentId", agentId), P("@digest", keyDigest), P("@now", now)) == 1, ct);

    public Task<IReadOnlyList<AgentKeyState>> ListAsync(CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<AgentKeyState>>(async sql => await sql.QueryAsync<AgentKeyState>("""
            SELECT a.id AS agent_id, a.name, COALESCE(a.is_active, TRUE) AS is_active, k.created_at AS key_created_at
            FROM agents a LEFT JOIN chatbridge_agent_keys k ON k.agent_id = a.id
            ORDER BY a.id
            """), ct);
}
