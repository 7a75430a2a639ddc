using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// What differs between the Flask bridge's chat tables and the current ones, and how each difference
/// is bridged: missing columns are added and, where the old shape kept the value under another name,
/// filled from it. Old columns stay in place, so nothing any other reader relies on disappears.
/// </summary>
internal static class LegacyChatTables
{
    private const string IsoMillis = "%Y-%m-%dT%H:%M:%fZ";

    private static readonly TableUpgrade[] Tables =
    [
        new("web_chat_sessions",
        [
            new("uid", "TEXT"),
            new("user_id", "INTEGER REFERENCES users(id) ON DELETE SET NULL"),
            new("agent_id", "INTEGER REFERENCES agents(id) ON DELETE SET NULL"),
            new("ip_address", "TEXT"),
            new("user_agent", "TEXT"),
            new("metadata", "TEXT NOT NULL DEFAULT '{}'"),
            new("status", "TEXT NOT NULL DEFAULT 'active'", "is_active",
                "CASE WHEN is_active IN (0, '0', 'false', 'False', 'FALSE') THEN 'inactive' ELSE 'active' END"),
            new("created_at", "TEXT"),
            new("last_active", "TEXT", "last_activity"),
        ]),
        new("web_chat_messages",
        [
            new("timestamp", "TEXT", "created_at"),
            new("client_timestamp", "TEXT"),
            new("uid", "TEXT"),
            new("processed", "INTEGER NOT NULL DEFAULT 0", "is_processed"),
            new("processed_at", "TEXT"),
            new("answered_at", "TEXT"),
            new("delivery_count", "INTEGER NOT NULL DEFAULT 0"),
            new("claim_expires_at", "TEXT"),
        ]),
        new("web_chat_responses",
        [
            new("message_id", "INTEGER REFERENCES web_chat_messages(id) ON DELETE SET NULL"),
            new("response", "TEXT", "response_data"),
            new("response_id", "TEXT"),
            new("status", "TEXT NOT NULL DEFAULT 'sent'"),
            new("timestamp", "TEXT", "created_at"),
        ]),
        new("rate_limits",
        [
            new("ip_address", "TEXT"),
            new("endpoint", "TEXT"),
            new("request_count", "INTEGER NOT NULL DEFAULT 0", "count"),
            new("window_start", "TEXT"),
        ]),
    ];

    /// <summary>Timestamp columns the bridge compares as text, so every row must hold the canonical form.</summary>
    private static readonly (string Table, string Column)[] TimestampColumns =
    [
        ("web_chat_sessions", "created_at"),
        ("web_chat_sessions", "last_active"),
        ("web_chat_messages", "timestamp"),
        ("web_chat_messages", "processed_at"),
        ("web_chat_responses", "timestamp"),
    ];

    public static async Task UpgradeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        foreach (var table in Tables)
        {
            var existing = await SchemaInspector.ColumnsAsync(connection, tx, table.Name, ct);
            if (existing.Count == 0)
            {
                continue;
            }
            foreach (var column in table.Columns)
            {
                if (!await SchemaInspector.AddColumnIfMissingAsync(connection, tx, table.Name, column.Name, column.Definition, ct)
                    || column.LegacySource is not { } source || !existing.Contains(source))
                {
                    continue;
                }
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE \"{table.Name}\" SET \"{column.Name}\" = {column.CopyExpression ?? $"\"{source}\""}",
                    transaction: tx, cancellationToken: ct));
            }
        }
        await EnsureUniqueSessionIdsAsync(connection, tx, ct);
    }

    /// <summary>
    /// Messages and responses reference <c>web_chat_sessions(session_id)</c>, which SQLite only accepts
    /// when that column is unique; an older table may not have declared it so.
    /// </summary>
    private static async Task EnsureUniqueSessionIdsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        if (!await SchemaInspector.HasColumnAsync(connection, tx, "web_chat_sessions", "session_id", ct))
        {
            return;
        }
        var duplicates = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) - COUNT(DISTINCT session_id) FROM web_chat_sessions", transaction: tx, cancellationToken: ct));
        if (duplicates == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE UNIQUE INDEX IF NOT EXISTS ux_web_chat_sessions_session_id ON web_chat_sessions(session_id)",
                transaction: tx, cancellationToken: ct));
        }
    }

    /// <summary>Gives rows written by older code what the API needs: a uid, both session times, canonical timestamps.</summary>
    public static async Task NormaliseRowsAsync(DbConnection connection, DbTransaction tx, string now, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE web_chat_sessions SET uid = lower(hex(randomblob(8))) WHERE uid IS NULL OR uid = '';
            UPDATE web_chat_sessions SET created_at = COALESCE(created_at, last_active, @now), last_active = COALESCE(last_active, created_at, @now)
                WHERE created_at IS NULL OR last_active IS NULL;
            UPDATE web_chat_messages SET timestamp = @now WHERE timestamp IS NULL;
            UPDATE web_chat_messages SET processed = 0 WHERE processed IS NULL;
            UPDATE web_chat_responses SET timestamp = @now WHERE timestamp IS NULL;
            """, new { now }, tx, cancellationToken: ct));
        foreach (var (table, column) in TimestampColumns)
        {
            // Numbers are Unix seconds; text is any form SQLite's date functions read. Values neither reads are left as they are.
            var canonical = $"CASE WHEN typeof(\"{column}\") IN ('integer', 'real') THEN strftime('{IsoMillis}', \"{column}\", 'unixepoch') ELSE strftime('{IsoMillis}', \"{column}\") END";
            await connection.ExecuteAsync(new CommandDefinition($"""
                UPDATE "{table}" SET "{column}" = {canonical}
                WHERE "{column}" IS NOT NULL AND {canonical} IS NOT NULL AND "{column}" IS NOT {canonical}
                """, transaction: tx, cancellationToken: ct));
        }
    }

    private sealed record TableUpgrade(string Name, ColumnUpgrade[] Columns);

    /// <param name="LegacySource">The old column that held this value, copied over when the column is added.</param>
    /// <param name="CopyExpression">How to derive the value from <paramref name="LegacySource"/>, when not a plain copy.</param>
    private sealed record ColumnUpgrade(string Name, string Definition, string? LegacySource = null, string? CopyExpression = null);
}
