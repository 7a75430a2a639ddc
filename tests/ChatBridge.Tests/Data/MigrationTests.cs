using System.Text.Json;
using ChatBridge.Configuration;
using ChatBridge.Tests.Delivery;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBridge.Tests.Data;

/// <summary>Starting on control databases made by others: nothing is lost, everything stays readable.</summary>
public sealed class MigrationTests : IDisposable
{
    private const string LegacyApiKey = "legacy-api-key-1234567890";
    private const string LegacyAdminKey = "legacy-admin-key-1234567890";

    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-migration-").FullName;

    private string DatabasePath => Path.Combine(_folder, "sanctum_ui.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_new_database_is_created_from_the_schema_and_records_its_steps_once()
    {
        using (var app = new BridgeApp { DatabasePath = DatabasePath })
        {
            await (await app.Anonymous().GetAsync("/health")).Content.ReadAsStringAsync();
        }
        var steps = Strings("SELECT step FROM chatbridge_schema ORDER BY step");
        Assert.Equal(17, steps.Count);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_web_chat_messages_unanswered'"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_web_chat_messages_waiting'"));
        foreach (var index in new[]
        {
            "idx_web_chat_messages_time", "idx_web_chat_responses_time", "idx_web_chat_responses_message", "idx_web_chat_sessions_agent",
            "idx_web_chat_messages_answered",
        })
        {
            Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $i", ("$i", index)));
        }
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
        foreach (var table in new[] { "users", "agents", "system_config", "schema_version", "web_chat_sessions", "web_chat_messages", "web_chat_responses", "rate_limits", "stats_daily", "chatbridge_attachments" })
        {
            Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $t", ("$t", table)));
        }

        using (var again = new BridgeApp { DatabasePath = DatabasePath })
        {
            _ = again.Services;
        }
        Assert.Equal(steps, Strings("SELECT step FROM chatbridge_schema ORDER BY step"));
    }

    [Fact]
    public void A_database_of_the_previous_version_gains_the_dashboards_kept_days()
    {
        using (var app = new BridgeApp { DatabasePath = DatabasePath })
        {
            _ = app.Services;
        }
        // As the bridge before step 009 left it.
        Run("""
            DROP TABLE stats_daily;
            DROP INDEX idx_web_chat_messages_answered;
            DELETE FROM chatbridge_schema WHERE step = '009 daily figures of closed days for the dashboard';
            INSERT INTO web_chat_sessions (session_id, uid, created_at, last_active) VALUES ('session_kept', '0123456789abcdef', 'x', 'x');
            """);

        using (var upgraded = new BridgeApp { DatabasePath = DatabasePath })
        {
            _ = upgraded.Services;
        }

        Assert.Equal(["day", "agent_id", "messages", "replies", "answered", "p50_seconds", "p95_seconds"], Strings("SELECT name FROM pragma_table_info('stats_daily')"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_web_chat_messages_answered'"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM chatbridge_schema WHERE step = '009 daily figures of closed days for the dashboard'"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM web_chat_sessions"));
    }

    [Fact]
    public async Task A_control_database_without_chat_tables_gains_them_and_keeps_every_row()
    {
        Run("""
            CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, email TEXT);
            CREATE TABLE agents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT, status TEXT DEFAULT 'active');
            CREATE TABLE system_config (id INTEGER PRIMARY KEY AUTOINCREMENT, config_key TEXT UNIQUE NOT NULL, config_value TEXT);
            CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
            INSERT INTO users (username, email) VALUES ('ada', 'ada@example.org'), ('grace', NULL);
            INSERT INTO agents (name, description) VALUES ('Athena', 'research');
            INSERT INTO system_config (config_key, config_value) VALUES ('ui_theme', 'dark');
            INSERT INTO schema_version (version) VALUES (1), (2);
            """);

        using var app = new BridgeApp { DatabasePath = DatabasePath };
        var agents = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();
        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_after_upgrade", message = "hi", agent_id = 1 })).DataAsync();

        Assert.Equal("Athena", Assert.Single(agents.GetProperty("agents").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(["ada", "grace"], Strings("SELECT username FROM users ORDER BY id"));
        Assert.Equal("dark", Scalar("SELECT config_value FROM system_config WHERE config_key = 'ui_theme'"));
        // The control app's history stays its own: the bridge records its steps in a table of its own.
        Assert.Equal([1L, 2L], Longs("SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(17L, Scalar("SELECT COUNT(*) FROM chatbridge_schema"));
    }

    [Fact]
    public async Task Chat_tables_of_the_flask_bridges_shape_are_upgraded_and_their_rows_stay_readable()
    {
        CreateFlaskBridgeDatabase();

        using var app = new BridgeApp { DatabasePath = DatabasePath };
        var legacyBroca = app.WithKey(LegacyApiKey);
        var legacyAdmin = app.WithKey(LegacyAdminKey);

        // A database that has keys keeps them, whatever the configuration seeds.
        await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=1")).AssertErrorAsync(401, "Invalid API key");

        var sessions = await (await legacyAdmin.GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();
        var byId = sessions.GetProperty("sessions").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(["session_legacy_a", "session_legacy_b"], byId.Keys.Order());
        var a = byId["session_legacy_a"];
        Assert.Equal("0123456789abcdef", a.GetProperty("uid").GetString());
        Assert.Equal("2026-11-20T08:00:00.000Z", a.GetProperty("last_active").GetString());
        Assert.Equal("2026-11-20T07:59:00.000Z", a.GetProperty("created_at").GetString());
        Assert.Equal("active", a.GetProperty("status").GetString());
        Assert.Equal(3, a.GetProperty("message_count").GetInt32());
        Assert.Equal(1, a.GetProperty("response_count").GetInt32());
        Assert.Equal(JsonValueKind.Object, a.GetProperty("metadata").ValueKind);
        var b = byId["session_legacy_b"];
        Assert.Matches("^[0-9a-f]{16}$", b.GetProperty("uid").GetString());
        Assert.Equal("inactive", b.GetProperty("status").GetString());

        var inbox = await (await legacyBroca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        var pending = inbox.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["still waiting", "also waiting"], pending.Select(m => m.GetProperty("message").GetString()));
        Assert.All(pending, m => Assert.Equal("0123456789abcdef", m.GetProperty("uid").GetString()));
        Assert.Equal("2026-11-20T08:00:02.000Z", pending[0].GetProperty("timestamp").GetString());
        Assert.Equal("2026-11-20T06:00:03.000Z", pending[1].GetProperty("timestamp").GetString());

        var responses = await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_legacy_a")).DataAsync();
        var old = Assert.Single(responses.GetProperty("responses").EnumerateArray());
        Assert.Equal("hello from the old bridge", old.GetProperty("response").GetString());
        Assert.Equal("2026-11-20T08:00:05.500Z", old.GetProperty("timestamp").GetString());
        Assert.Equal("agent", old.GetProperty("author").GetString());

        // The upgraded tables take new rows, including the legacy NOT NULL response_id column.
        await (await app.Anonymous().PostMessageAsync("session_legacy_a", "new message")).DataAsync();
        await (await legacyBroca.PostReplyAsync("session_legacy_a", "new reply")).DataAsync();
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM web_chat_responses WHERE response = 'new reply' AND response_id LIKE 'resp_%'"));

        Assert.Equal(2L, Scalar("SELECT COUNT(*) FROM users"));
        Assert.Equal("dark", Scalar("SELECT config_value FROM system_config WHERE config_key = 'ui_theme'"));
        Assert.Equal(7L, Scalar("SELECT request_count FROM rate_limits"));
        Assert.Equal(7L, Scalar("SELECT count FROM rate_limits"));
        Assert.Equal(1L, Scalar("SELECT is_active FROM web_chat_sessions WHERE session_id = 'session_legacy_a'"));
        Assert.Equal("2026-11-20 08:00:00", Scalar("SELECT last_activity FROM web_chat_sessions WHERE session_id = 'session_legacy_a'"));
    }

    [Fact]
    public async Task Messages_claimed_before_claim_leases_existed_stay_delivered_and_are_never_handed_out_again()
    {
        using (var before = new BridgeApp { DatabasePath = DatabasePath })
        {
            await (await before.Anonymous().PostMessageAsync("session_before_leases", "claimed long ago")).DataAsync();
            await (await before.Anonymous().PostMessageAsync("session_before_leases", "answered long ago")).DataAsync();
            await (await before.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
            await (await before.Broca().PostJsonAsync("outbox", new { session_id = "session_before_leases", response = "ok", message_id = 2 })).DataAsync();
            await (await before.Anonymous().PostMessageAsync("session_before_leases", "still waiting")).DataAsync();
        }
        // Back to the shape of a database from before the step: no lease columns, no index, no record of the step.
        Run("""
            DROP INDEX idx_web_chat_messages_leases;
            ALTER TABLE web_chat_messages DROP COLUMN claim_expires_at;
            ALTER TABLE web_chat_messages DROP COLUMN delivery_count;
            DELETE FROM chatbridge_schema WHERE step = '004 claim leases for inbox redelivery';
            """);

        // Long after any lease would have lapsed, the messages claimed before the step stay out of the inbox.
        using var app = new FrozenBridgeApp { DatabasePath = DatabasePath };
        var lease = app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.Inbox.ClaimTimeout;
        app.Time.Advance(lease * 4);
        await app.SweepAsync();
        var first = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        app.Time.Advance(lease * 4);
        await app.SweepAsync();
        var again = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();

        // Only the message that was never claimed is handed out, and as a new claim it is a lease like any other.
        Assert.Equal("still waiting", Assert.Single(first.GetProperty("messages").EnumerateArray()).GetProperty("message").GetString());
        Assert.Equal("still waiting", Assert.Single(again.GetProperty("messages").EnumerateArray()).GetProperty("message").GetString());
        var transcript = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_before_leases")).DataAsync();
        var states = transcript.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("status").GetString()).ToList();
        Assert.Equal(["delivered", "answered", "delivered"], states);
        Assert.Equal(0, transcript.GetProperty("session").GetProperty("exhausted_count").GetInt32());
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM chatbridge_schema WHERE step = '004 claim leases for inbox redelivery'"));
    }

    [Fact]
    public async Task Messages_an_older_bridge_gave_up_on_come_back_to_the_inbox_as_stuck()
    {
        using (var before = new BridgeApp { DatabasePath = DatabasePath })
        {
            await (await before.Anonymous().PostMessageAsync("session_given_up", "handed out three times")).DataAsync();
            await (await before.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        }
        // Back to the shape of a database from before the step, with the message as the old lease sweep left it once
        // it had all its deliveries: delivered, unleased, unanswered.
        Run("""
            DROP INDEX idx_web_chat_messages_stuck;
            ALTER TABLE web_chat_messages DROP COLUMN claimed_by;
            ALTER TABLE web_chat_messages DROP COLUMN answered_by;
            ALTER TABLE web_chat_messages DROP COLUMN strikes;
            ALTER TABLE web_chat_messages DROP COLUMN not_before;
            ALTER TABLE web_chat_messages DROP COLUMN dropped_at;
            UPDATE web_chat_messages SET delivery_count = 3, claim_expires_at = NULL;
            DELETE FROM chatbridge_schema WHERE step = '017 delivery strikes, back-off of stuck messages, admin drops';
            """);

        using var app = new BridgeApp { DatabasePath = DatabasePath };
        var claimed = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();

        Assert.Equal("handed out three times", Assert.Single(claimed.GetProperty("messages").EnumerateArray()).GetProperty("message").GetString());
        var transcript = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_given_up")).DataAsync();
        var message = Assert.Single(transcript.GetProperty("messages").EnumerateArray());
        Assert.True(message.GetProperty("exhausted").GetBoolean());
        Assert.Equal(3, message.GetProperty("strikes").GetInt32());
        Assert.Equal(1, transcript.GetProperty("session").GetProperty("exhausted_count").GetInt32());
    }

    [Fact]
    public void Starting_twice_on_an_upgraded_database_changes_nothing()
    {
        CreateFlaskBridgeDatabase();
        using (var first = new BridgeApp { DatabasePath = DatabasePath })
        {
            _ = first.Services;
        }
        var snapshot = Dump();

        using (var second = new BridgeApp { DatabasePath = DatabasePath })
        {
            _ = second.Services;
        }

        Assert.Equal(snapshot, Dump());
    }

    [Fact]
    public void A_failing_upgrade_rolls_back_whole_and_the_service_does_not_start()
    {
        Run("""
            CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL);
            INSERT INTO users (username) VALUES ('ada');
            CREATE TABLE web_chat_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT UNIQUE NOT NULL, last_activity TEXT);
            INSERT INTO web_chat_sessions (session_id, last_activity) VALUES ('session_keep', '2026-11-20 08:00:00');
            CREATE VIEW web_chat_responses AS SELECT 1 AS id;
            """);
        var before = Dump();

        using var app = new BridgeApp { DatabasePath = DatabasePath };
        Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Equal(before, Dump());
    }

    private void CreateFlaskBridgeDatabase() => Run($"""
        CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, email TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE agents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT, status TEXT DEFAULT 'active');
        CREATE TABLE system_config (id INTEGER PRIMARY KEY AUTOINCREMENT, config_key TEXT UNIQUE NOT NULL, config_value TEXT, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
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
        CREATE TABLE rate_limits (id INTEGER PRIMARY KEY AUTOINCREMENT, ip_address TEXT NOT NULL, endpoint TEXT NOT NULL, count INTEGER DEFAULT 0, window_start TIMESTAMP DEFAULT CURRENT_TIMESTAMP);

        INSERT INTO users (username, email) VALUES ('ada', 'ada@example.org'), ('grace', NULL);
        INSERT INTO agents (name, description) VALUES ('Athena', 'research');
        INSERT INTO system_config (config_key, config_value) VALUES
            ('api_key', '{LegacyApiKey}'), ('admin_key', '{LegacyAdminKey}'), ('ui_theme', 'dark');
        INSERT INTO web_chat_sessions (session_id, uid, created_at, last_activity, ip_address, is_active) VALUES
            ('session_legacy_a', '0123456789abcdef', '2026-11-20 07:59:00', '2026-11-20 08:00:00', '10.0.0.7', 1),
            ('session_legacy_b', NULL, '2026-11-19 10:00:00', '2026-11-19 10:05:00', NULL, 0);
        INSERT INTO web_chat_messages (session_id, message, timestamp, processed, uid) VALUES
            ('session_legacy_a', 'already handled', '2026-11-20 08:00:01', 1, '0123456789abcdef'),
            ('session_legacy_a', 'still waiting', '2026-11-20 08:00:02', 0, NULL),
            ('session_legacy_a', 'also waiting', '2026-11-20T08:00:03+02:00', 0, NULL);
        INSERT INTO web_chat_responses (session_id, response, response_id, timestamp, status) VALUES
            ('session_legacy_a', 'hello from the old bridge', 'r-1', '2026-11-20 08:00:05.5', 'sent');
        INSERT INTO rate_limits (ip_address, endpoint, count, window_start) VALUES ('10.0.0.7', 'messages', 7, '2026-11-20 08:00:00');
        """);

    /// <summary>Every table's schema and rows, for comparing a database before and after.</summary>
    private string Dump()
    {
        using var connection = Open();
        var tables = Strings("SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name");
        var text = new System.Text.StringBuilder();
        text.AppendJoin('\n', Strings("SELECT COALESCE(sql, name) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"));
        foreach (var table in Strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                text.Append('\n').Append(table).Append(':');
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetValue(i)).Append('|');
                }
            }
        }
        return text.Append('\n').Append(tables.Count).ToString();
    }

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

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteScalar();
    }

    private List<string> Strings(string sql) => Column(sql, r => r.GetString(0));

    private List<long> Longs(string sql) => Column(sql, r => r.GetInt64(0));

    private List<T> Column<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(read(reader));
        }
        return values;
    }
}
