using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// The claim lease columns for a database created before inbox claims became leases. Existing rows get no lease
/// (<c>claim_expires_at</c> NULL, <c>delivery_count</c> 0): a message claimed before the upgrade stays delivered as it
/// was, and is never handed out again. (Chat tables of the Flask bridge's shape get the columns from step 001 already,
/// since the schema of step 002 indexes them.)
/// </summary>
internal static class ClaimLeaseColumns
{
    public static async Task AddAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await SchemaInspector.AddColumnIfMissingAsync(connection, tx, "web_chat_messages", "delivery_count", "INTEGER NOT NULL DEFAULT 0", ct);
        await SchemaInspector.AddColumnIfMissingAsync(connection, tx, "web_chat_messages", "claim_expires_at", "TEXT", ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_leases
            ON web_chat_messages(claim_expires_at) WHERE claim_expires_at IS NOT NULL
            """, transaction: tx, cancellationToken: ct));
    }
}
