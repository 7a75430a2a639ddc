using System.Data.Common;
using ChatBridge.Data;
using ChatBridge.Http;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Brings any control database (new, the control app's with or without chat tables, one with chat tables of the Flask
/// bridge's older shape, or one an older bridge made) to the current schema, in one transaction, without losing a row.
/// Every step is idempotent and is recorded in the bridge's own <c>chatbridge_schema</c> once applied; the control
/// app's <c>schema_version</c> is its own.
/// </summary>
internal sealed class SqliteSchemaMigrator(Db db, TimeProvider time, ILogger<SqliteSchemaMigrator> logger) : IDatabaseMigrator
{
    /// <summary>Prefix of the <c>schema_version</c> rows older bridges wrote; they are moved to <c>chatbridge_schema</c>.</summary>
    internal const string StepPrefix = "chatbridge: ";

    public async Task MigrateAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        CreateFileWithTheUmasksMode(db.FilePath);
        await using var connection = await db.OpenMigratorAsync(ct);
        // WAL is a property of the file: set once here, it holds for every later connection.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");

        await using var tx = await connection.BeginTransactionAsync(ct);
        var applied = await AppliedStepsAsync(connection, tx, ct);
        List<string> newlyApplied = [];
        foreach (var step in Steps)
        {
            if (applied.Contains(step.Name))
            {
                continue;
            }
            await step.Apply(connection, tx, ct);
            newlyApplied.Add(step.Name);
        }
        await RecordAsync(connection, tx, newlyApplied, ct);
        await tx.CommitAsync(ct);

        foreach (var name in newlyApplied)
        {
            logger.LogInformation("Applied schema step {Step}", name);
        }
    }

    /// <summary>
    /// SQLite creates a database file 0644 whatever the process's umask, so the control app's user could never write a
    /// file the bridge made. Created here first it gets 0666 less the umask (0660 under the unit's UMask=0007), and
    /// SQLite gives the -wal and -shm files the database file's own mode.
    /// </summary>
    private static void CreateFileWithTheUmasksMode(string path)
    {
        if (File.Exists(path))
        {
            return;
        }
        try
        {
            using var created = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance created it first: the same outcome.
        }
    }

    private IEnumerable<MigrationStep> Steps =>
    [
        new("001 upgrade chat tables of the Flask bridge's shape", LegacyChatTables.UpgradeAsync),
        new("002 create control and chat schema", CreateSchemaAsync),
        new("003 normalise legacy timestamps and fill missing uids", (c, tx, ct) => LegacyChatTables.NormaliseRowsAsync(c, tx, Timestamps.Format(Timestamps.Now(time)), ct)),
        new("004 claim leases for inbox redelivery", ClaimLeaseColumns.AddAsync),
        new("005 index claimed, unanswered messages", IndexUnansweredAsync),
        new("006 reply authors", AddReplyAuthorAsync),
        new("007 index unanswered messages", IndexWaitingAsync),
        new("008 index messages and replies by time for the dashboard", IndexForStatsAsync),
        new("009 daily figures of closed days for the dashboard", AddClosedDaysAsync),
        new("010 the control app's tables in its own shape", ControlAppTables.ReshapeAsync),
        new("011 chat tables take the control app's writes", ControlAppTables.WelcomeOtherWritersAsync),
        new("012 other writers' rows in the bridge's form, and announced", ControlAppTables.AddWriterTriggersAsync),
        new("013 Broca keys of single agents", (c, tx, ct) => CreateTableAsync(c, tx, "chatbridge_agent_keys", ct)),
        new("015 accounts: sign-in lockouts, a user's sessions, an agent's sessions", AddAccountsAsync),
        new("016 attachments", AddAttachmentsAsync),
        new(DeliveryStrikesStep, DeliveryStrikeColumns.AddAsync),
        new(ConversationsStep, AddConversationsAsync),
    ];

    internal const string DeliveryStrikesStep = "017 delivery strikes, back-off of stuck messages, admin drops";

    internal const string ConversationsStep = "018 session tokens, idempotent sends, feedback, seen replies, hidden sessions, Broca presence";

    /// <summary>The same text on both engines once the columns and tables exist.</summary>
    internal const string ConversationIndexes = """
        CREATE UNIQUE INDEX IF NOT EXISTS idx_web_chat_messages_client_id ON web_chat_messages(session_id, client_message_id)
        WHERE client_message_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS idx_chatbridge_feedback_rated ON chatbridge_feedback(rated_at);
        CREATE INDEX IF NOT EXISTS idx_chatbridge_feedback_session ON chatbridge_feedback(session_id);
        """;

    private static async Task CreateTableAsync(DbConnection connection, DbTransaction tx, string table, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            InitScript.CreateTable(InitScript.Text, table).Replace("{table}", table, StringComparison.Ordinal),
            transaction: tx, cancellationToken: ct));

    private static async Task AddAccountsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await CreateTableAsync(connection, tx, "chatbridge_account_lockouts", ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_user ON web_chat_sessions(user_id, last_active) WHERE user_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_by_agent ON web_chat_sessions(agent_id, session_id) WHERE agent_id IS NOT NULL;
            """, transaction: tx, cancellationToken: ct));
    }

    private static async Task AddAttachmentsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await CreateTableAsync(connection, tx, "chatbridge_attachments", ct);
        await connection.ExecuteAsync(new CommandDefinition(InitScript.AttachmentIndexes(InitScript.Text), transaction: tx, cancellationToken: ct));
    }

    /// <summary>Only new, nullable columns and new tables: every existing row stays as it was.</summary>
    private static async Task AddConversationsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        foreach (var (table, column) in new[]
        {
            ("web_chat_sessions", "token_hash"), ("web_chat_sessions", "hidden_at"), ("web_chat_messages", "client_message_id"), ("web_chat_responses", "seen_at"),
        })
        {
            await SchemaInspector.AddColumnIfMissingAsync(connection, tx, table, column, "TEXT", ct);
        }
        await CreateTableAsync(connection, tx, "chatbridge_feedback", ct);
        await CreateTableAsync(connection, tx, "chatbridge_broca_polls", ct);
        await connection.ExecuteAsync(new CommandDefinition(ConversationIndexes, transaction: tx, cancellationToken: ct));
    }

    private static async Task CreateSchemaAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(InitScript.Text, transaction: tx, cancellationToken: ct));

    /// <summary>Keeps the backlog gauge's count of claimed, unanswered messages to those rows, however large the table grows.</summary>
    private static async Task IndexUnansweredAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_unanswered ON web_chat_messages(id)
            WHERE processed = 1 AND answered_at IS NULL
            """, transaction: tx, cancellationToken: ct));

    /// <summary>Every reply stored before people could answer from the admin console came from an agent.</summary>
    private static async Task AddReplyAuthorAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await SchemaInspector.AddColumnIfMissingAsync(connection, tx, "web_chat_responses", "author", "TEXT NOT NULL DEFAULT 'agent'", ct);

    /// <summary>Keeps the admin's backlog (every unanswered message, oldest first) to those rows, however large the table grows.</summary>
    private static async Task IndexWaitingAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_waiting ON web_chat_messages(id) WHERE answered_at IS NULL
            """, transaction: tx, cancellationToken: ct));

    /// <summary>
    /// Keeps the <c>stats</c> action's cost to the rows of its window: counts per hour and day walk the timestamp
    /// indexes (the messages' one also covers the session), a message's first reply and its session's agent are one seek each.
    /// </summary>
    private static async Task IndexForStatsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_time ON web_chat_messages(timestamp, session_id);
            CREATE INDEX IF NOT EXISTS idx_web_chat_responses_time ON web_chat_responses(timestamp);
            CREATE INDEX IF NOT EXISTS idx_web_chat_responses_message ON web_chat_responses(message_id, timestamp);
            CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_agent ON web_chat_sessions(session_id, agent_id);
            """, transaction: tx, cancellationToken: ct));

    /// <summary>
    /// The dashboard's figures of closed days, kept so that <c>stats</c> counts only today, and the index of answered
    /// messages by the time of their first reply that a day's latency reads.
    /// </summary>
    private static async Task AddClosedDaysAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TABLE IF NOT EXISTS stats_daily (
                day         TEXT    NOT NULL,
                agent_id    INTEGER NOT NULL,
                messages    INTEGER,
                replies     INTEGER,
                answered    INTEGER NOT NULL,
                p50_seconds REAL,
                p95_seconds REAL,
                PRIMARY KEY (day, agent_id)
            );
            CREATE INDEX IF NOT EXISTS idx_web_chat_messages_answered ON web_chat_messages(answered_at, timestamp, session_id)
            WHERE answered_at IS NOT NULL;
            """, transaction: tx, cancellationToken: ct));

    /// <summary>
    /// The steps this database has had: those in <c>chatbridge_schema</c>, and those an older bridge recorded in the
    /// control app's <c>schema_version</c>, which are moved out of it here (their numbers there were taken from the
    /// control app's, and their times were in a form its ORM cannot read).
    /// </summary>
    private async Task<HashSet<string>> AppliedStepsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            InitScript.CreateTable(InitScript.Text, "chatbridge_schema").Replace("{table}", "chatbridge_schema", StringComparison.Ordinal),
            transaction: tx, cancellationToken: ct));
        if (await SchemaInspector.HasColumnAsync(connection, tx, "schema_version", "description", ct))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT OR IGNORE INTO chatbridge_schema (step, applied_at)
                SELECT substr(description, length(@prefix) + 1), COALESCE(applied_at, @now) FROM schema_version
                WHERE description LIKE @prefix || '%';
                DELETE FROM schema_version WHERE description LIKE @prefix || '%';
                """, new { prefix = StepPrefix, now = Timestamps.Format(Timestamps.Now(time)) }, tx, cancellationToken: ct));
        }
        var rows = await connection.QueryAsync<string>(new CommandDefinition("SELECT step FROM chatbridge_schema", transaction: tx, cancellationToken: ct));
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    private async Task RecordAsync(DbConnection connection, DbTransaction tx, List<string> steps, CancellationToken ct)
    {
        foreach (var step in steps)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO chatbridge_schema (step, applied_at) VALUES (@step, @now)",
                new { step, now = Timestamps.Format(Timestamps.Now(time)) }, tx, cancellationToken: ct));
        }
    }

    private sealed record MigrationStep(string Name, Func<DbConnection, DbTransaction, CancellationToken, Task> Apply);
}

internal static class SchemaInspector
{
    public static async Task<IReadOnlySet<string>> ColumnsAsync(DbConnection connection, DbTransaction tx, string table, CancellationToken ct)
    {
        // pragma_table_info takes the table as a bound value, so no name is ever spliced into SQL here.
        var names = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM pragma_table_info(@table)", new { table }, tx, cancellationToken: ct));
        return names.ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public static async Task<bool> HasColumnAsync(DbConnection connection, DbTransaction tx, string table, string column, CancellationToken ct) =>
        (await ColumnsAsync(connection, tx, table, ct)).Contains(column);

    /// <summary>Adds a column to an existing table; <paramref name="table"/> and <paramref name="column"/> are constants of this assembly.</summary>
    public static async Task<bool> AddColumnIfMissingAsync(
        DbConnection connection, DbTransaction tx, string table, string column, string definition, CancellationToken ct)
    {
        var columns = await ColumnsAsync(connection, tx, table, ct);
        if (columns.Count == 0 || columns.Contains(column))
        {
            return false;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            $"ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {definition}", transaction: tx, cancellationToken: ct));
        return true;
    }
}
