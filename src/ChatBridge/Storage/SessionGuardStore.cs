using ChatBridge.Data;
using ChatBridge.Http;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>A session's token hash and owner, one primary-key read, for <see cref="SessionGuard"/>.</summary>
internal sealed class SessionGuardStore(IDatabase db) : ISessionGuardStore
{
    public Task<GuardedSession?> FindAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(sql => sql.FirstOrDefaultAsync<GuardedSession>(
            $"SELECT s.token_hash, {ChatSql.LiveUser} AS user_id FROM web_chat_sessions s WHERE s.session_id = @sessionId", P("@sessionId", sessionId)), ct);
}
