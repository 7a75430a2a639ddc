using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// The schema steps that let the control app (Flask + SQLAlchemy) work on a database the bridge made, and the bridge on
/// one the control app made. SQLAlchemy only creates missing tables and never alters one, so its tables must already
/// be exactly as its models declare them; its chat writers leave out the bridge's columns and write SQLite's
/// <c>YYYY-MM-DD HH:MM:SS</c>, so the chat tables give those columns defaults and put those times in the bridge's form.
/// </summary>
internal static class ControlAppTables
{
    private const string Canonical = "'____-__-__T__:__:__.___Z'";

    /// <summary>
    /// Tables an older bridge made in a reduced shape are rebuilt to the control app's own, every row kept: an agent that
    /// was <c>inactive</c> is <c>is_active = 0</c>; values the control app requires and the bridge never had are filled
    /// (an account without a password hash gets one no password matches), and the bridge's <c>…T…Z</c> times become
    /// the control app's form, which its ORM reads.
    /// </summary>
    public static async Task ReshapeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await TableShape.EnsureAsync(connection, tx, "users", Create("users"), has => new Dictionary<string, string>
        {
            ["email"] = Either(has, "email", "username || '@localhost.invalid'"),
            ["password_hash"] = Either(has, "password_hash", "'!'"),
            ["created_at"] = ControlTime(has, "created_at"),
            ["updated_at"] = ControlTime(has, "updated_at"),
        }, ct);
        await TableShape.EnsureAsync(connection, tx, "agents", Create("agents"), has => new Dictionary<string, string>
        {
            ["letta_uid"] = Either(has, "letta_uid", "'chatbridge-agent-' || id"),
            ["is_active"] = has.Contains("is_active") ? "is_active" : "CASE WHEN status = 'inactive' THEN 0 ELSE 1 END",
            ["created_at"] = ControlTime(has, "created_at"),
            ["updated_at"] = ControlTime(has, "updated_at"),
        }, ct);
        await TableShape.EnsureAsync(connection, tx, "system_config", Create("system_config"), has => new Dictionary<string, string>
        {
            ["config_value"] = "COALESCE(config_value, '')",
            ["created_at"] = ControlTime(has, has.Contains("created_at") ? "created_at" : "updated_at"),
            ["updated_at"] = ControlTime(has, "updated_at"),
        }, ct);
        await TableShape.EnsureAsync(connection, tx, "schema_version", Create("schema_version"), has => new Dictionary<string, string>
        {
            ["applied_at"] = ControlTime(has, "applied_at"),
        }, ct);
        await connection.ExecuteAsync(new CommandDefinition(Create("user_sessions").Replace("{table}", "user_sessions", StringComparison.Ordinal),
            transaction: tx, cancellationToken: ct));
    }

    /// <summary>
    /// Sessions made by an older bridge had times without a default, which the control app's insert leaves out; the
    /// table is rebuilt with them (older columns kept beside). The control app's rate limiter counts in <c>count</c>.
    /// </summary>
    public static async Task WelcomeOtherWritersAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await TableShape.EnsureAsync(connection, tx, "web_chat_sessions", Create("web_chat_sessions"), _ => new Dictionary<string, string>
        {
            ["uid"] = "COALESCE(uid, lower(hex(randomblob(8))))",
            ["metadata"] = "COALESCE(metadata, '{}')",
            ["status"] = "COALESCE(status, 'active')",
            ["created_at"] = "COALESCE(created_at, last_active, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            ["last_active"] = "COALESCE(last_active, created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        }, ct, compareDefaults: true);
        await SchemaInspector.AddColumnIfMissingAsync(connection, tx, "rate_limits", "count", "INTEGER DEFAULT 1", ct);
    }

    /// <summary>
    /// Triggers that put another program's chat rows in the bridge's form as they are written (its times canonical, a
    /// message's uid its session's, the message a reply names answered), and note them in <c>chatbridge_changes</c> so the
    /// bridge announces them. A row is
    /// another program's when it lacks what the bridge always writes: a message's uid, a reply's response_id.
    /// </summary>
    public static async Task AddWriterTriggersAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE TABLE IF NOT EXISTS chatbridge_changes (
                seq    INTEGER PRIMARY KEY AUTOINCREMENT,
                kind   TEXT    NOT NULL,
                row_id INTEGER NOT NULL
            );
            CREATE TRIGGER IF NOT EXISTS chatbridge_session_written AFTER INSERT ON web_chat_sessions
            WHEN NEW.created_at IS NULL OR NEW.last_active IS NULL OR NEW.created_at NOT LIKE {Canonical} OR NEW.last_active NOT LIKE {Canonical}
            BEGIN
                UPDATE web_chat_sessions
                SET created_at = COALESCE({ToCanonical("NEW.created_at")}, NEW.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    last_active = COALESCE({ToCanonical("NEW.last_active")}, NEW.last_active, {ToCanonical("NEW.created_at")}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                WHERE id = NEW.id;
            END;
            CREATE TRIGGER IF NOT EXISTS chatbridge_session_active AFTER UPDATE OF last_active ON web_chat_sessions
            WHEN NEW.last_active NOT LIKE {Canonical}
            BEGIN
                UPDATE web_chat_sessions SET last_active = COALESCE({ToCanonical("NEW.last_active")}, NEW.last_active) WHERE id = NEW.id;
            END;
            CREATE TRIGGER IF NOT EXISTS chatbridge_message_written AFTER INSERT ON web_chat_messages
            WHEN NEW.uid IS NULL OR NEW.timestamp NOT LIKE {Canonical}
            BEGIN
                UPDATE web_chat_messages
                SET timestamp = COALESCE({ToCanonical("NEW.timestamp")}, NEW.timestamp),
                    uid = COALESCE(NEW.uid, (SELECT s.uid FROM web_chat_sessions s WHERE s.session_id = NEW.session_id))
                WHERE id = NEW.id;
                INSERT INTO chatbridge_changes (kind, row_id) SELECT 'message', NEW.id WHERE NEW.uid IS NULL;
            END;
            CREATE TRIGGER IF NOT EXISTS chatbridge_response_written AFTER INSERT ON web_chat_responses
            WHEN NEW.response_id IS NULL OR NEW.timestamp NOT LIKE {Canonical}
            BEGIN
                UPDATE web_chat_responses SET timestamp = COALESCE({ToCanonical("NEW.timestamp")}, NEW.timestamp) WHERE id = NEW.id;
                UPDATE web_chat_messages
                SET answered_at = COALESCE(answered_at, (SELECT r.timestamp FROM web_chat_responses r WHERE r.id = NEW.id)),
                    claim_expires_at = NULL, processed = 1
                WHERE id = NEW.message_id AND NEW.response_id IS NULL;
                INSERT INTO chatbridge_changes (kind, row_id) SELECT 'response', NEW.id WHERE NEW.response_id IS NULL;
            END;
            """, transaction: tx, cancellationToken: ct));

    private static string Create(string table) => InitScript.CreateTable(InitScript.Text, table);

    private static string ToCanonical(string value) => $"strftime('%Y-%m-%dT%H:%M:%fZ', {value})";

    private static string Either(IReadOnlySet<string> has, string column, string fallback) =>
        has.Contains(column) ? $"COALESCE({column}, {fallback})" : fallback;

    /// <summary>
    /// A time in the form the control app's ORM reads (<c>YYYY-MM-DD HH:MM:SS.ffffff</c>, UTC): the bridge's <c>…T…Z</c>
    /// is converted, anything else kept as it is.
    /// </summary>
    private static string ControlTime(IReadOnlySet<string> has, string column) => has.Contains(column)
        ? $"CASE WHEN {column} LIKE '____-__-__T%' AND strftime('%s', {column}) IS NOT NULL "
          + $"THEN strftime('%Y-%m-%d %H:%M:%S', {column}) || '.' || substr(strftime('%f', {column}), 4) || '000' "
          + $"ELSE {column} END"
        : "CURRENT_TIMESTAMP";
}
