using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Step 017 on SQLite: the columns that tell a strike from a free redelivery (who claimed a message, who answered it),
/// the stuck message's back-off and strike count, and the admin's drop; the index of stuck messages; and messages an
/// older bridge gave up on (exhausted: delivered, unleased, unanswered) back in the inbox as stuck, since no message is
/// given up silently any more.
/// </summary>
internal static class DeliveryStrikeColumns
{
    /// <summary>The same text on both engines once the columns exist.</summary>
    public const string IndexAndReturnExhausted = """
        CREATE INDEX IF NOT EXISTS idx_web_chat_messages_stuck ON web_chat_messages(id)
        WHERE not_before IS NOT NULL AND answered_at IS NULL AND dropped_at IS NULL;
        UPDATE web_chat_messages
        SET processed = 0, strikes = delivery_count, not_before = COALESCE(processed_at, timestamp)
        WHERE processed = 1 AND answered_at IS NULL AND claim_expires_at IS NULL AND delivery_count > 0 AND dropped_at IS NULL;
        """;

    public static async Task AddAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        foreach (var (column, definition) in new[]
        {
            ("claimed_by", "TEXT"), ("answered_by", "TEXT"), ("strikes", "INTEGER NOT NULL DEFAULT 0"), ("not_before", "TEXT"), ("dropped_at", "TEXT"),
        })
        {
            await SchemaInspector.AddColumnIfMissingAsync(connection, tx, "web_chat_messages", column, definition, ct);
        }
        await connection.ExecuteAsync(new CommandDefinition(IndexAndReturnExhausted, transaction: tx, cancellationToken: ct));
    }
}
