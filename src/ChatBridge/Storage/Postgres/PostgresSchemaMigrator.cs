using ChatBridge.Data;
using ChatBridge.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Creates the control schema in an empty PostgreSQL database and upgrades it additively, in one transaction,
/// recording each step in <c>schema_version</c> under the same name the SQLite <see cref="Sqlite.SqliteSchemaMigrator"/> uses,
/// so both engines report the same steps. Instances starting at once take turns on an advisory lock.
/// </summary>
internal sealed class PostgresSchemaMigrator(NpgsqlDataSource dataSource, ILogger<PostgresSchemaMigrator> logger) : IDatabaseMigrator
{
    /// <summary>The advisory lock key that serializes schema changes ("ChatBrdg" in ASCII); held until the transaction ends.</summary>
    private const long SchemaLockKey = 0x43_68_61_74_42_72_64_67;

    /// <summary>
    /// SQLite's steps in its order; those with no SQL have nothing to do here, since no PostgreSQL database predates
    /// the schema file: it has no tables of the Flask bridge's shape (001, 003) and already holds what 004, 006 and
    /// 007 added to older SQLite files. PostgreSQL's own step 008 came first; SQLite's 008 follows it, for databases
    /// made before the schema file had the dashboard's indexes.
    /// </summary>
    internal static readonly IReadOnlyList<MigrationStep> Steps =
    [
        new("001 upgrade chat tables of the Flask bridge's shape", null),
        new("002 create control and chat schema", InitScript.Postgres),
        new("003 normalise legacy timestamps and fill missing uids", null),
        new("004 claim leases for inbox redelivery", null),
        new("005 index claimed, unanswered messages", """
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_unanswered ON web_chat_messages(id)
            WHERE processed = 1 AND answered_at IS NULL
            """),
        new("006 reply authors", null),
        new("007 index unanswered messages", null),
        // Rate-limit windows every instance counts in, so a client spreading requests over N instances gets one budget.
        new("008 rate-limit windows shared by every instance", """
            CREATE TABLE IF NOT EXISTS bridge_rate_counters (
                policy       TEXT   NOT NULL,
                client       TEXT   NOT NULL,
                window_start TEXT   NOT NULL,
                count        BIGINT NOT NULL,
                PRIMARY KEY (policy, client, window_start)
            )
            """),
        new("008 index messages and replies by time for the dashboard", """
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_time ON web_chat_messages(timestamp, session_id);
            CREATE INDEX IF NOT EXISTS idx_web_chat_responses_time ON web_chat_responses(timestamp);
            CREATE INDEX IF NOT EXISTS idx_web_chat_responses_message ON web_chat_responses(message_id, timestamp);
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_agent ON web_chat_sessions(session_id, agent_id);
            """),
        new("009 daily figures of closed days for the dashboard", """
            CREATE TABLE IF NOT EXISTS stats_daily (
                day         TEXT             NOT NULL,
                agent_id    BIGINT           NOT NULL,
                messages    BIGINT,
                replies     BIGINT,
                answered    BIGINT           NOT NULL,
                p50_seconds DOUBLE PRECISION,
                p95_seconds DOUBLE PRECISION,
                PRIMARY KEY (day, agent_id)
            );
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_answered ON web_chat_messages(answered_at, timestamp, session_id)
            WHERE answered_at IS NOT NULL;
            """),
    ];

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var applied = await ApplyAsync(connection, tx, ct);
        await tx.CommitAsync(ct);
        foreach (var name in applied)
        {
            logger.LogInformation("Applied schema step {Step}", name);
        }
    }

    /// <summary>Applies and records the steps not yet recorded, inside the caller's transaction; returns their names.</summary>
    internal static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await LockAsync(connection, tx, ct);
        var recorded = await RecordedStepsAsync(connection, tx, ct);
        var applied = Steps.Where(s => !recorded.Contains(s.Name)).ToList();
        foreach (var sql in applied.Select(s => s.Sql).OfType<string>())
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
        }
        // Recorded once schema_version exists; version continues whatever numbering is there (the control app's rows, or a copied history).
        foreach (var step in applied)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO schema_version (version, description)
                VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM schema_version), @description)
                """, new { description = SqliteSchemaMigrator.StepPrefix + step.Name }, tx, cancellationToken: ct));
        }
        return [.. applied.Select(s => s.Name)];
    }

    /// <summary>
    /// Waits until no other migrator (another instance starting, or the copy verb) is changing the schema. The lock is
    /// re-entrant and ends with the transaction, and statements after it see what the previous holder committed.
    /// </summary>
    internal static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = SchemaLockKey }, tx, cancellationToken: ct));

    private static async Task<HashSet<string>> RecordedStepsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_version') IS NOT NULL", transaction: tx, cancellationToken: ct));
        if (!exists)
        {
            return [];
        }
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT description FROM schema_version WHERE description LIKE @prefix",
            new { prefix = SqliteSchemaMigrator.StepPrefix + "%" }, tx, cancellationToken: ct));
        return rows.Select(d => d[SqliteSchemaMigrator.StepPrefix.Length..]).ToHashSet(StringComparer.Ordinal);
    }

    /// <param name="Sql">What the step does on PostgreSQL; null when it has nothing to do here but is recorded all the same.</param>
    internal sealed record MigrationStep(string Name, string? Sql);
}
