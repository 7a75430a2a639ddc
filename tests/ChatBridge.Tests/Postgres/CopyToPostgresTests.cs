using System.Globalization;
using System.Security.Cryptography;
using ChatBridge.Http;
using ChatBridge.Storage.Postgres;
using ChatBridge.Tests.Hosting;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Postgres;

/// <summary><c>copy-to-postgres</c> on a control database of the Sanctum installer's shape, run as the real program.</summary>
public sealed class CopyToPostgresTests(ITestOutputHelper output) : IDisposable
{
    private const string InstallerApiKey = "installer-api-key-1234567890";
    private const string InstallerAdminKey = "installer-admin-key-1234567890";
    private const int GeneratedMessages = 500;

    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-copy-test-").FullName;

    private string DatabasePath => Path.Combine(_folder, "sanctum_ui.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [PostgresFact]
    public async Task The_installers_database_copies_every_row_and_value_and_leaves_the_source_as_it_was()
    {
        CreateInstallerDatabase();
        var hash = Hash();
        await using var database = await PostgresServer.CreateDatabaseAsync();

        var (exitCode, stdout, stderr) = await CopyAsync(database.ConnectionString);
        output.WriteLine(stdout);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(hash, Hash());
        Assert.Equal(["sanctum_ui.db"], Directory.EnumerateFiles(_folder).Select(Path.GetFileName));
        await using var target = await database.OpenAsync();
        foreach (var table in SourceTables())
        {
            var expected = SourceRows(table);
            Assert.Matches($@"(?m)^{table}\s+{expected.Count}\s+{expected.Count}$", stdout);
            if (table == "schema_version")
            {
                continue;
            }
            Assert.Equal(expected, await TargetRowsAsync(target, table, SourceColumns(table)));
        }
        Assert.Contains("Copied 10 tables,", stdout, StringComparison.Ordinal);
        Assert.Contains("agent_memories, kv", stdout, StringComparison.Ordinal);

        // The installer's history is its own; PostgreSQL's migrator keeps the record of the bridge's steps apart.
        var versions = (await target.QueryAsync<(int Version, string? Description, DateTime AppliedAt)>(
            "SELECT version, description, applied_at FROM schema_version ORDER BY version")).ToList();
        Assert.Equal([(1, null, new DateTime(2026, 1, 5, 9, 0, 0)), (2, null, new DateTime(2026, 3, 1, 12, 30, 0))], versions);
        Assert.Equal(
            PostgresSchemaMigrator.Steps.Select(s => s.Name).Order(StringComparer.Ordinal),
            await target.QueryAsync<string>("SELECT step FROM chatbridge_schema ORDER BY step"));

        // The keys and settings the bridge reads, and the history in today's columns, as the bridge would serve them.
        Assert.Equal(16L, await target.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM system_config"));
        Assert.Equal(InstallerApiKey, await target.ExecuteScalarAsync<string>("SELECT config_value FROM system_config WHERE config_key = 'api_key'"));
        Assert.Equal(InstallerAdminKey, await target.ExecuteScalarAsync<string>("SELECT config_value FROM system_config WHERE config_key = 'admin_key'"));
        var sessions = await target.QueryAsync<(string SessionId, DateTime LastActive, string Status)>(
            "SELECT session_id, last_active, status FROM web_chat_sessions ORDER BY id");
        Assert.Equal(
            [("session_installer_a", new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc), "active"),
             ("session_installer_b", new DateTime(2026, 11, 19, 10, 5, 0, DateTimeKind.Utc), "inactive")],
            sessions);
        Assert.Equal(GeneratedMessages + 1L, await target.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0"));
        Assert.Equal("hello from the old bridge", await target.ExecuteScalarAsync<string>("SELECT response FROM web_chat_responses WHERE status = 'sent'"));

        // Every identity continues after the copied ids.
        Assert.Equal(3L, await target.ExecuteScalarAsync<long>(
            "INSERT INTO users (username, email, password_hash) VALUES ('new', 'new@example.org', '!') RETURNING id"));
        Assert.Equal(GeneratedMessages + 4L, await target.ExecuteScalarAsync<long>(
            "INSERT INTO web_chat_messages (session_id, message, timestamp) VALUES ('session_installer_a', 'next', 'now') RETURNING id"));
        Assert.Equal(11L, await target.ExecuteScalarAsync<long>("INSERT INTO agent_memories (content) VALUES ('next') RETURNING id"));
    }

    [PostgresFact]
    public async Task A_host_on_the_copied_database_takes_the_installers_old_keys_and_serves_its_history()
    {
        CreateInstallerDatabase();
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (exitCode, _, stderr) = await CopyAsync(database.ConnectionString);
        Assert.True(exitCode == 0, stderr);

        using var app = new BridgeApp
        {
            Settings =
            {
                ["ChatBridge:Database:Provider"] = "Postgres",
                ["ChatBridge:Database:ConnectionString"] = database.ConnectionString,
                ["ChatBridge:ApiKey"] = null,
                ["ChatBridge:AdminKey"] = null,
            },
        };

        var inbox = await (await app.WithKey(InstallerApiKey).GetAsync("/api/v1/?action=inbox&limit=5")).DataAsync();
        Assert.Equal(GeneratedMessages + 1, inbox.GetProperty("pagination").GetProperty("total").GetInt32());
        var transcript = await (await app.WithKey(InstallerAdminKey).GetAsync(
            "/api/v1/?action=session_messages&session_id=session_installer_a")).DataAsync();
        Assert.Contains(transcript.GetProperty("responses").EnumerateArray(), r => r.GetProperty("response").GetString() == "hello from the old bridge");
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
    }

    [PostgresFact]
    public async Task A_target_that_is_not_empty_is_refused_and_nothing_changes_in_it()
    {
        CreateInstallerDatabase();
        await using var copied = await PostgresServer.CreateDatabaseAsync();
        Assert.Equal(0, (await CopyAsync(copied.ConnectionString)).ExitCode);
        var before = await DumpAsync(copied);
        await using var foreign = await PostgresServer.CreateDatabaseAsync();
        await using (var connection = await foreign.OpenAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE somebody_elses (x int)");
        }

        var again = await CopyAsync(copied.ConnectionString);
        var intoForeign = await CopyAsync(foreign.ConnectionString);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("The target database is not empty: it has 19 table(s)", again.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was written", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, await DumpAsync(copied));
        Assert.Equal(1, intoForeign.ExitCode);
        Assert.Contains("it has 1 table(s) (public.somebody_elses)", intoForeign.Error, StringComparison.Ordinal);
        Assert.Equal("public.somebody_elses", Assert.Single(await DumpAsync(foreign)).Split(':')[0]);
    }

    [Fact]
    public async Task A_bad_connection_string_or_unreachable_server_gets_a_clear_message_and_the_source_is_untouched()
    {
        CreateInstallerDatabase();
        var hash = Hash();

        var unparsable = await CopyAsync("Host=127.0.0.1;Port=abc");
        var unreachable = await CopyAsync("Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=sanctum;Timeout=3");
        var none = await CopyAsync(null);

        Assert.Equal(2, unparsable.ExitCode);
        Assert.StartsWith("The PostgreSQL connection string does not parse:", unparsable.Error, StringComparison.Ordinal);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith("The copy to PostgreSQL 127.0.0.1:1/sanctum failed:", unreachable.Error, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was written.", unreachable.Error.Trim(), StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("usage: ChatBridge copy-to-postgres [--to CONNECTION_STRING]", none.Error, StringComparison.Ordinal);
        foreach (var result in new[] { unparsable, unreachable, none })
        {
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        }
        Assert.Equal(hash, Hash());
    }

    private Task<(int ExitCode, string Output, string Error)> CopyAsync(string? target) =>
        AppProcess.RunAsync(AppProcess.BuiltFolder, _folder,
        [
            "copy-to-postgres", .. target is null ? Array.Empty<string>() : ["--to", target],
            $"--ChatBridge:DatabasePath={DatabasePath}", $"--ChatBridge:LogPath={Path.Combine(_folder, "..", Path.GetFileName(_folder) + "-logs")}",
        ]);

    /// <summary>
    /// The installer's control database: the control app's tables, 16 settings, chat tables of the Flask bridge's shape
    /// with a long conversation, the schema history of the control app, and tables the bridge knows nothing about.
    /// </summary>
    private void CreateInstallerDatabase() => Run($$"""
        CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, email TEXT, password_hash TEXT,
            role TEXT DEFAULT 'user', is_active BOOLEAN DEFAULT 1, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE agents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT, status TEXT DEFAULT 'active', config TEXT);
        CREATE TABLE system_config (id INTEGER PRIMARY KEY AUTOINCREMENT, config_key TEXT UNIQUE NOT NULL, config_value TEXT,
            description TEXT, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE web_chat_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT UNIQUE NOT NULL, uid TEXT,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, last_activity TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            ip_address TEXT, user_agent TEXT, is_active BOOLEAN DEFAULT 1);
        CREATE TABLE web_chat_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, message TEXT NOT NULL,
            timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, processed BOOLEAN DEFAULT 0, uid TEXT, is_new_user BOOLEAN DEFAULT 0,
            FOREIGN KEY (session_id) REFERENCES web_chat_sessions(session_id));
        CREATE TABLE web_chat_responses (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, response TEXT NOT NULL, response_id TEXT NOT NULL,
            timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, status TEXT DEFAULT 'pending');
        CREATE TABLE rate_limits (id INTEGER PRIMARY KEY AUTOINCREMENT, ip_address TEXT NOT NULL, endpoint TEXT NOT NULL, count INTEGER DEFAULT 0,
            window_start TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE agent_memories (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id INTEGER, content TEXT NOT NULL, score REAL, embedding BLOB, tags);
        CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;

        INSERT INTO users (username, email, password_hash, role, is_active, created_at) VALUES
            ('admin', 'admin@example.org', 'pbkdf2:sha256:600000$abc$def', 'admin', 1, '2026-01-05 09:00:00'),
            ('grace', NULL, NULL, 'user', 0, '2026-02-01 10:00:00');
        INSERT INTO agents (name, description, config) VALUES ('Athena', 'research', '{"model": "large"}'), ('Broca', 'relay', NULL);
        INSERT INTO system_config (config_key, config_value, description, updated_at) VALUES
            ('api_key', '{{InstallerApiKey}}', 'Broca''s key', '2026-01-05 09:00:00'),
            ('admin_key', '{{InstallerAdminKey}}', 'admin console key', '2026-01-05 09:00:00'),
            ('session_timeout', '3600', NULL, '2026-01-05 09:00:00'),
            ('max_message_length', '8000', NULL, '2026-01-05 09:00:00'),
            ('rate_limit_messages', '60', NULL, '2026-01-05 09:00:00'),
            ('rate_limit_responses', '200', NULL, '2026-01-05 09:00:00'),
            ('rate_limit_inbox', '120', NULL, '2026-01-05 09:00:00'),
            ('rate_limit_outbox', '200', NULL, '2026-01-05 09:00:00'),
            ('rate_limit_sessions', '20', NULL, '2026-01-05 09:00:00'),
            ('ui_theme', 'dark', NULL, '2026-01-05 09:00:00'),
            ('site_name', 'Sanctum', NULL, '2026-01-05 09:00:00'),
            ('default_agent', '1', NULL, '2026-01-05 09:00:00'),
            ('log_level', 'INFO', NULL, '2026-01-05 09:00:00'),
            ('backup_enabled', 'true', NULL, '2026-01-05 09:00:00'),
            ('smtp_host', NULL, NULL, '2026-01-05 09:00:00'),
            ('installer_version', '1.4.2', 'written by the installer', '2026-03-01 12:30:00');
        INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-05 09:00:00'), (2, '2026-03-01 12:30:00');
        INSERT INTO web_chat_sessions (session_id, uid, created_at, last_activity, ip_address, user_agent, is_active) VALUES
            ('session_installer_a', '0123456789abcdef', '2026-11-20 07:59:00', '2026-11-20 08:00:00', '10.0.0.7', 'Mozilla/5.0', 1),
            ('session_installer_b', 'fedcba9876543210', '2026-11-19 10:00:00', '2026-11-19 10:05:00', NULL, NULL, 0);
        INSERT INTO web_chat_messages (session_id, message, timestamp, processed, uid, is_new_user) VALUES
            ('session_installer_a', 'already handled', '2026-11-20 08:00:01', 1, '0123456789abcdef', 1),
            ('session_installer_b', 'also waiting', '2026-11-20T08:00:03+02:00', 0, NULL, 0),
            ('session_installer_b', 'ünïcödé ✓ and ''quotes''', '2026-11-19 10:01:00', 1, NULL, 0);
        INSERT INTO web_chat_messages (session_id, message, timestamp, processed, uid)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{GeneratedMessages}})
            SELECT 'session_installer_a', 'message ' || i, '2026-11-20 09:' || printf('%02d:%02d', i / 60 % 60, i % 60), 0, '0123456789abcdef' FROM n;
        INSERT INTO web_chat_responses (session_id, response, response_id, timestamp, status) VALUES
            ('session_installer_a', 'hello from the old bridge', 'r-1', '2026-11-20 08:00:05.5', 'sent'),
            ('session_installer_b', 'queued', 'r-2', '2026-11-19 10:02:00', 'pending');
        INSERT INTO rate_limits (ip_address, endpoint, count, window_start) VALUES ('10.0.0.7', 'messages', 7, '2026-11-20 08:00:00');
        INSERT INTO agent_memories (agent_id, content, score, embedding, tags)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
            SELECT 1, 'memory ' || i, i / 4.0, CASE WHEN i % 3 = 0 THEN NULL ELSE randomblob(16) END, CASE WHEN i % 2 = 0 THEN i ELSE 'tag-' || i END FROM n;
        INSERT INTO kv (k, v) VALUES ('alpha', 1), ('beta', 2.5), ('gamma', NULL);
        """);

    /// <summary>
    /// A source table's rows as text, sorted, with the values the bridge's upgrade changes as it changes them on SQLite:
    /// the chat tables' timestamps in their one canonical form, and what the control app's tables require filled in
    /// (an e-mail address for an account without one, a password hash no password matches, an empty setting).
    /// </summary>
    private List<string> SourceRows(string table)
    {
        var canonical = new HashSet<string> { "web_chat_sessions.created_at", "web_chat_messages.timestamp", "web_chat_responses.timestamp" };
        var filled = new Dictionary<string, string>
        {
            ["users.email"] = "grace@localhost.invalid", ["users.password_hash"] = "!", ["system_config.config_value"] = "",
        };
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\"";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i =>
                canonical.Contains($"{table}.{reader.GetName(i)}") && Timestamps.TryParse(reader.GetString(i), out var at)
                    ? Timestamps.Format(at)
                    : reader.IsDBNull(i) && filled.TryGetValue($"{table}.{reader.GetName(i)}", out var fill)
                        ? fill
                        : Text(reader.GetValue(i)))));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static async Task<List<string>> TargetRowsAsync(NpgsqlConnection target, string table, List<string> columns)
    {
        await using var command = new NpgsqlCommand($"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"", target);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i)))));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>Every table of a PostgreSQL database with its rows, for comparing before and after.</summary>
    private static async Task<List<string>> DumpAsync(TestDatabase database)
    {
        await using var connection = await database.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).ToList();
        List<string> dump = [];
        foreach (var table in tables)
        {
            var columns = (await connection.QueryAsync<string>(
                "SELECT column_name FROM information_schema.columns WHERE table_schema || '.' || table_name = @table ORDER BY ordinal_position", new { table })).ToList();
            dump.Add($"{table}: {string.Join(", ", columns)}");
            dump.AddRange((await TargetRowsAsync(connection, table.Split('.')[1], columns)).Select(r => $"{table}: {r}"));
        }
        return dump;
    }

    /// <summary>
    /// A value as SQLite shows it: PostgreSQL's booleans as 1 and 0, a point in time (timestamptz, read as UTC) in the
    /// bridge's form, and a time of the control app's tables in its own.
    /// </summary>
    private static string Text(object value) => value switch
    {
        DBNull => "NULL",
        bool flag => flag ? "1" : "0",
        DateTime { Kind: DateTimeKind.Utc } instant => Timestamps.Format(new DateTimeOffset(instant)),
        DateTime time => time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes),
        double real => real.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private List<string> SourceTables() => Column("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");

    private List<string> SourceColumns(string table) => Column($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid");

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(DatabasePath)));

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private void Run(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<string> Column(string sql)
    {
        using var connection = Open();
        return [.. connection.Query<string>(sql)];
    }
}
