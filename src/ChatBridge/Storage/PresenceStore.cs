using ChatBridge.Data;
using ChatBridge.Presence;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>Brocas' polls in <c>chatbridge_broca_polls</c>; reply times and backlogs from the chat tables.</summary>
internal sealed class PresenceStore(IDatabase db, ISqlDialect dialect) : IPresenceStore
{
    // Another instance may have written a newer poll meanwhile: an older one never replaces it.
    public Task SavePollAsync(long agentKey, DateTimeOffset at, double intervalSeconds, CancellationToken ct) =>
        db.RunAsync(sql => sql.ExecuteAsync("""
            INSERT INTO chatbridge_broca_polls (agent_id, last_poll_at, interval_seconds) VALUES (@agentId, @at, @interval)
            ON CONFLICT (agent_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, interval_seconds = excluded.interval_seconds
            WHERE chatbridge_broca_polls.last_poll_at < excluded.last_poll_at
            """, P("@agentId", agentKey), P("@at", at), P("@interval", intervalSeconds)), ct, Durability.Committed);

    public Task<IReadOnlyList<BrocaPoll>> ReadPollsAsync(CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<BrocaPoll>>(async sql => await sql.QueryAsync<BrocaPoll>("SELECT agent_id, last_poll_at, interval_seconds FROM chatbridge_broca_polls"), ct);

    /// <summary>Reads the answers of the window through <c>idx_web_chat_messages_answered</c>.</summary>
    public Task<IReadOnlyList<AnswerTime>> AnswerTimesSinceAsync(DateTimeOffset since, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<AnswerTime>>(async sql => await sql.QueryAsync<AnswerTime>($"""
            SELECT s.agent_id, {dialect.SecondsBetween("m.timestamp", "m.answered_at")} AS seconds
            FROM web_chat_messages m JOIN web_chat_sessions s ON s.session_id = m.session_id
            WHERE m.answered_at >= @since AND s.agent_id IS NOT NULL
            """, P("@since", since)), ct);

    /// <summary>Unanswered, undropped messages (pending or claimed), read through <c>idx_web_chat_messages_waiting</c>.</summary>
    public Task<IReadOnlyList<AgentBacklog>> BacklogAsync(CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<AgentBacklog>>(async sql => await sql.QueryAsync<AgentBacklog>("""
            SELECT s.agent_id, COUNT(*) AS waiting, MIN(m.timestamp) AS oldest_waiting_at
            FROM web_chat_messages m JOIN web_chat_sessions s ON s.session_id = m.session_id
            WHERE m.answered_at IS NULL AND m.dropped_at IS NULL
            GROUP BY s.agent_id
            """), ct);
}
