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
    /// A database an older bridge made has the control app's tables in a reduced shape (text times, 0/1 flags, no
    /// password hash, no Letta id): each gains what the control app's models declare, every row kept, an agent that was
    /// <c>inactive</c> becoming <c>is_active = false</c>. A database made since already has them so.
    /// </summary>
    private const string ControlAppTables = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'password_hash') THEN
                ALTER TABLE users ADD COLUMN password_hash VARCHAR(255), ADD COLUMN permissions TEXT DEFAULT '[]',
                    ADD COLUMN failed_login_attempts INTEGER DEFAULT 0, ADD COLUMN last_login TIMESTAMP;
                UPDATE users SET password_hash = '!', email = COALESCE(email, username || '@localhost.invalid'),
                    permissions = '[]', failed_login_attempts = 0;
                ALTER TABLE users
                    ALTER COLUMN username TYPE VARCHAR(50),
                    ALTER COLUMN email TYPE VARCHAR(100), ALTER COLUMN email SET NOT NULL,
                    ALTER COLUMN password_hash SET NOT NULL,
                    ALTER COLUMN role TYPE VARCHAR(20), ALTER COLUMN role DROP NOT NULL,
                    ALTER COLUMN is_active DROP DEFAULT, ALTER COLUMN is_active TYPE BOOLEAN USING is_active <> 0,
                    ALTER COLUMN is_active SET DEFAULT TRUE, ALTER COLUMN is_active DROP NOT NULL,
                    ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE TIMESTAMP USING created_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN created_at DROP NOT NULL,
                    ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE TIMESTAMP USING updated_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN updated_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN updated_at DROP NOT NULL,
                    ADD UNIQUE (email);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = 'agents' AND column_name = 'letta_uid') THEN
                ALTER TABLE agents ADD COLUMN letta_uid VARCHAR(100), ADD COLUMN created_by INTEGER, ADD COLUMN config TEXT,
                    ADD COLUMN is_active BOOLEAN DEFAULT TRUE, ADD COLUMN visible_to_users TEXT, ADD COLUMN visible_to_roles TEXT;
                UPDATE agents SET letta_uid = 'chatbridge-agent-' || id, is_active = status IS DISTINCT FROM 'inactive';
                ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_name_key;
                ALTER TABLE agents
                    ALTER COLUMN name TYPE VARCHAR(100),
                    ALTER COLUMN letta_uid SET NOT NULL, ADD UNIQUE (letta_uid),
                    ALTER COLUMN status TYPE VARCHAR(50), ALTER COLUMN status DROP NOT NULL,
                    ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE TIMESTAMP USING created_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN created_at DROP NOT NULL,
                    ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE TIMESTAMP USING updated_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN updated_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN updated_at DROP NOT NULL;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = 'system_config' AND column_name = 'created_at') THEN
                UPDATE system_config SET config_value = '' WHERE config_value IS NULL;
                ALTER TABLE system_config
                    ALTER COLUMN config_key TYPE VARCHAR(100), ALTER COLUMN config_value SET NOT NULL,
                    ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE TIMESTAMP USING updated_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN updated_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN updated_at DROP NOT NULL,
                    ADD COLUMN created_at TIMESTAMP;
                UPDATE system_config SET created_at = updated_at;
                ALTER TABLE system_config ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC');
            END IF;
            IF (SELECT data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'schema_version' AND column_name = 'applied_at') = 'text' THEN
                ALTER TABLE schema_version
                    ALTER COLUMN version TYPE INTEGER,
                    ALTER COLUMN applied_at DROP DEFAULT, ALTER COLUMN applied_at TYPE TIMESTAMP USING applied_at::timestamptz AT TIME ZONE 'UTC',
                    ALTER COLUMN applied_at SET DEFAULT (now() AT TIME ZONE 'UTC'), ALTER COLUMN applied_at DROP NOT NULL;
            END IF;
        END $$;
        """;

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
                window_start TIMESTAMPTZ NOT NULL,
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
        new("010 the control app's tables in its own shape", $"{ControlAppTables}\n{Create("user_sessions")}"),
        new("011 chat tables take the control app's writes", "ALTER TABLE rate_limits ADD COLUMN IF NOT EXISTS count BIGINT DEFAULT 1"),
        new("012 other writers' rows in the bridge's form, and announced", null),
        new("013 Broca keys of single agents", Create("chatbridge_agent_keys")),
        // Points in time kept as SQLite's text become timestamptz, every row converted (a text without a zone is UTC);
        // databases made since already have them so. Writers other than the bridge get a default of now.
        new("014 points in time as timestamptz", """
            DO $$
            DECLARE c record;
            BEGIN
                FOR c IN
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND data_type = 'text'
                      AND (table_name, column_name) IN (
                          ('web_chat_sessions', 'created_at'), ('web_chat_sessions', 'last_active'),
                          ('web_chat_messages', 'timestamp'), ('web_chat_messages', 'processed_at'),
                          ('web_chat_messages', 'answered_at'), ('web_chat_messages', 'claim_expires_at'),
                          ('web_chat_responses', 'timestamp'), ('bridge_rate_counters', 'window_start'))
                LOOP
                    EXECUTE format(
                        'ALTER TABLE %1$I ALTER COLUMN %2$I DROP DEFAULT, ALTER COLUMN %2$I TYPE timestamptz USING '
                        || '(CASE WHEN %2$I ~ ''(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'' THEN %2$I::timestamptz ELSE %2$I::timestamp AT TIME ZONE ''UTC'' END)',
                        c.table_name, c.column_name);
                END LOOP;
            END $$;
            ALTER TABLE web_chat_sessions ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now()),
                                          ALTER COLUMN last_active SET DEFAULT date_trunc('milliseconds', now());
            ALTER TABLE web_chat_messages ALTER COLUMN timestamp SET DEFAULT date_trunc('milliseconds', now());
            ALTER TABLE web_chat_responses ALTER COLUMN timestamp SET DEFAULT date_trunc('milliseconds', now());
            """),
        new("015 accounts: sign-in lockouts, a user's sessions, an agent's sessions", $"""
            {Create("chatbridge_account_lockouts")}
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_user ON web_chat_sessions(user_id, last_active) WHERE user_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_by_agent ON web_chat_sessions(agent_id, session_id) WHERE agent_id IS NOT NULL;
            """),
        new("016 attachments", $"{Create("chatbridge_attachments")}\n{InitScript.AttachmentIndexes(InitScript.Postgres)}"),
        new(SqliteSchemaMigrator.DeliveryStrikesStep, $"""
            ALTER TABLE web_chat_messages
                ADD COLUMN IF NOT EXISTS claimed_by TEXT, ADD COLUMN IF NOT EXISTS answered_by TEXT,
                ADD COLUMN IF NOT EXISTS strikes BIGINT NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS not_before TIMESTAMPTZ,
                ADD COLUMN IF NOT EXISTS dropped_at TIMESTAMPTZ;
            {DeliveryStrikeColumns.IndexAndReturnExhausted}
            """),
        new(SqliteSchemaMigrator.ConversationsStep, $"""
            ALTER TABLE web_chat_sessions ADD COLUMN IF NOT EXISTS token_hash TEXT, ADD COLUMN IF NOT EXISTS hidden_at TIMESTAMPTZ;
            ALTER TABLE web_chat_messages ADD COLUMN IF NOT EXISTS client_message_id TEXT;
            ALTER TABLE web_chat_responses ADD COLUMN IF NOT EXISTS seen_at TIMESTAMPTZ;
            {Create("chatbridge_feedback")}
            {Create("chatbridge_broca_polls")}
            {SqliteSchemaMigrator.ConversationIndexes}
            """),
        // Every instance keeps the settings while it listens, so every write to them, the control app's and the keys
        // verb's included, is announced by the database when it commits.
        new(SettingsAnnouncedStep, $"""
            CREATE OR REPLACE FUNCTION chatbridge_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{PostgresBus.SettingsChannel}', '');
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS chatbridge_settings_changed ON system_config;
            CREATE TRIGGER chatbridge_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON system_config
                FOR EACH STATEMENT EXECUTE FUNCTION chatbridge_settings_changed();
            """),
    ];

    internal const string SettingsAnnouncedStep = "019 settings changes announced by the database";

    private static string Create(string table) =>
        InitScript.CreateTable(InitScript.Postgres, table).Replace("{table}", table, StringComparison.Ordinal);

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
        foreach (var step in applied)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO chatbridge_schema (step, applied_at) VALUES (@step, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                new { step = step.Name }, tx, cancellationToken: ct));
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

    /// <summary>
    /// The steps this database has had: those in <c>chatbridge_schema</c>, and those an older bridge recorded in
    /// <c>schema_version</c>, which are moved out of it here (that table is the control app's history).
    /// </summary>
    private static async Task<HashSet<string>> RecordedStepsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(Create("chatbridge_schema"), transaction: tx, cancellationToken: ct));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_version') IS NOT NULL", transaction: tx, cancellationToken: ct)))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO chatbridge_schema (step, applied_at)
                SELECT substr(description, length(@prefix) + 1), COALESCE(applied_at::text, '') FROM schema_version
                WHERE description LIKE @prefix || '%'
                ON CONFLICT DO NOTHING;
                DELETE FROM schema_version WHERE description LIKE @prefix || '%';
                """, new { prefix = SqliteSchemaMigrator.StepPrefix }, tx, cancellationToken: ct));
        }
        var rows = await connection.QueryAsync<string>(new CommandDefinition("SELECT step FROM chatbridge_schema", transaction: tx, cancellationToken: ct));
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    /// <param name="Sql">What the step does on PostgreSQL; null when it has nothing to do here but is recorded all the same.</param>
    internal sealed record MigrationStep(string Name, string? Sql);
}
