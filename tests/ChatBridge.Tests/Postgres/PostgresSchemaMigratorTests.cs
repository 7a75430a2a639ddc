using ChatBridge.Storage.Postgres;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBridge.Tests.Postgres;

/// <summary>The PostgreSQL control schema: the same tables, keys and indexes as on SQLite, created and upgraded safely.</summary>
public sealed class PostgresSchemaMigratorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-pgschema-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [PostgresFact]
    public async Task An_empty_database_gets_every_table_column_foreign_key_and_index_the_sqlite_schema_has()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();

        await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        var sqlite = await SqliteSchemaAsync();
        await using var connection = await database.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).ToList();
        // Only PostgreSQL shares rate-limit windows between instances; only SQLite has the control app writing beside it.
        Assert.Equal(
            sqlite.Tables.Where(t => t != "chatbridge_changes").Append("bridge_rate_counters").Order(StringComparer.Ordinal),
            tables.Order(StringComparer.Ordinal));
        foreach (var table in sqlite.Tables.Where(t => t != "chatbridge_changes"))
        {
            var columns = await connection.QueryAsync<string>(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @table ORDER BY ordinal_position",
                new { table });
            Assert.Equal(sqlite.Columns[table], columns);
        }
        var foreignKeys = await connection.QueryAsync<string>("""
            SELECT format('%s(%s) -> %s(%s) on delete %s', kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name, lower(rc.delete_rule))
            FROM information_schema.referential_constraints rc
            JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
            JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.unique_constraint_name
            ORDER BY 1
            """);
        Assert.Equal(sqlite.ForeignKeys, foreignKeys);
        var indexes = (await connection.QueryAsync<(string Name, string Definition)>(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' ORDER BY indexname")).ToList();
        Assert.Equal(sqlite.Indexes.Keys.Order(StringComparer.Ordinal), indexes.Select(i => i.Name));
        foreach (var (name, definition) in indexes)
        {
            // A partial index on SQLite is partial here too, with the same condition.
            Assert.Equal(sqlite.Indexes[name] is not null, definition.Contains(" WHERE ", StringComparison.Ordinal));
        }
        Assert.Contains(indexes, i => i.Name == "idx_web_chat_messages_waiting" && i.Definition.EndsWith("WHERE (answered_at IS NULL)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Name == "idx_web_chat_messages_unanswered" && i.Definition.EndsWith("WHERE ((processed = 1) AND (answered_at IS NULL))", StringComparison.Ordinal));
        var counters = await connection.QueryAsync<string>("""
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'bridge_rate_counters'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
            """);
        Assert.Equal(["policy", "client", "window_start"], counters);
    }

    [PostgresFact]
    public async Task Defaults_fill_what_another_writer_leaves_out_and_explicit_ids_are_kept()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();

        await connection.ExecuteAsync("INSERT INTO users (id, username, email, password_hash) VALUES (41, 'ada', 'ada@example.org', '!')");
        await connection.ExecuteAsync("INSERT INTO web_chat_sessions (session_id, uid) VALUES ('session_other_writer', '0123456789abcdef')");
        var user = await connection.QuerySingleAsync<(long Id, string Role, bool IsActive, string Permissions)>(
            "SELECT id, role, is_active, permissions FROM users");
        var session = await connection.QuerySingleAsync<(DateTime CreatedAt, DateTime LastActive)>(
            "SELECT created_at, last_active FROM web_chat_sessions");

        Assert.Equal((41L, "user", true, "[]"), user);
        // Times to the millisecond, as the bridge writes them.
        Assert.Equal(0, session.CreatedAt.Ticks % TimeSpan.TicksPerMillisecond);
        Assert.Equal(session.CreatedAt, session.LastActive);
    }

    [PostgresFact]
    public async Task Migrating_again_or_from_several_instances_at_once_applies_each_step_once()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Migrator(dataSource).MigrateAsync(CancellationToken.None))));
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO agents (name, letta_uid) VALUES ('Athena', 'agent-721679f6')");
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        var steps = (await connection.QueryAsync<(string Step, string AppliedAt)>("SELECT step, applied_at FROM chatbridge_schema ORDER BY step")).ToList();
        Assert.Equal(PostgresSchemaMigrator.Steps.Select(s => s.Name).Order(StringComparer.Ordinal), steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", s.AppliedAt));
        // The control app's history is its own: the bridge writes nothing there.
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal("Athena", await connection.ExecuteScalarAsync<string>("SELECT name FROM agents"));
    }

    [Fact]
    public async Task The_steps_shared_with_sqlite_have_the_same_names_and_numbers()
    {
        var sqliteSteps = (await SqliteSchemaAsync()).Steps;

        // PostgreSQL's own steps (its shared rate-limit windows, timestamptz, the settings trigger) aside, every step is
        // SQLite's, in its order.
        Assert.Equal(
            sqliteSteps,
            PostgresSchemaMigrator.Steps.Select(s => s.Name).Where(n => n is not (RateCountersStep or TimestamptzStep or PostgresSchemaMigrator.SettingsAnnouncedStep)));
        Assert.Equal(RateCountersStep, PostgresSchemaMigrator.Steps[7].Name);
    }

    [PostgresFact]
    public async Task A_database_of_an_earlier_version_gains_the_dashboards_indexes_and_kept_days()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();
        // As the bridge left it when its schema ended with PostgreSQL's own step 008.
        await connection.ExecuteAsync("""
            DROP TABLE stats_daily;
            DROP INDEX idx_web_chat_messages_time, idx_web_chat_responses_time, idx_web_chat_responses_message,
                       idx_web_chat_sessions_agent, idx_web_chat_messages_answered;
            DELETE FROM chatbridge_schema WHERE step IN (
                '008 index messages and replies by time for the dashboard',
                '009 daily figures of closed days for the dashboard');
            """);

        await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        var indexes = await connection.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
        Assert.Superset(
            new HashSet<string>
            {
                "idx_web_chat_messages_time", "idx_web_chat_responses_time", "idx_web_chat_responses_message",
                "idx_web_chat_sessions_agent", "idx_web_chat_messages_answered", "stats_daily_pkey",
            },
            indexes.ToHashSet());
        Assert.Equal(
            ["day", "agent_id", "messages", "replies", "answered", "p50_seconds", "p95_seconds"],
            await connection.QueryAsync<string>(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'stats_daily' ORDER BY ordinal_position"));
        Assert.Equal(PostgresSchemaMigrator.Steps.Count, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM chatbridge_schema"));
    }

    private const string RateCountersStep = "008 rate-limit windows shared by every instance";

    private const string TimestamptzStep = "014 points in time as timestamptz";

    private static PostgresSchemaMigrator Migrator(NpgsqlDataSource dataSource) =>
        new(dataSource, NullLogger<PostgresSchemaMigrator>.Instance);

    /// <summary>The schema the SQLite migrator makes on a new file: what PostgreSQL must match.</summary>
    private async Task<SqliteSchema> SqliteSchemaAsync()
    {
        var path = Path.Combine(_folder, "sanctum_ui.db");
        // SQLite whichever provider the suite runs on.
        using (var app = new BridgeApp { DatabasePath = path, Settings = { ["ChatBridge:Database:Provider"] = "Sqlite" } })
        {
            _ = app.Services;
        }
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).ToList();
        var columns = new Dictionary<string, IEnumerable<string>>();
        List<string> foreignKeys = [];
        foreach (var table in tables)
        {
            columns[table] = await connection.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) ORDER BY cid", new { table });
            foreignKeys.AddRange(await connection.QueryAsync<string>(
                "SELECT @table || '(' || \"from\" || ') -> ' || \"table\" || '(' || \"to\" || ') on delete ' || lower(on_delete) FROM pragma_foreign_key_list(@table)",
                new { table }));
        }
        var indexes = (await connection.QueryAsync<(string Name, string Sql)>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'"))
            .ToDictionary(i => i.Name, i => i.Sql.Contains("WHERE", StringComparison.Ordinal) ? i.Sql : null);
        var steps = (await connection.QueryAsync<string>("SELECT step FROM chatbridge_schema ORDER BY step")).ToList();
        return new SqliteSchema(tables, columns, [.. foreignKeys.Order(StringComparer.Ordinal)], indexes, steps);
    }

    private sealed record SqliteSchema(
        List<string> Tables, Dictionary<string, IEnumerable<string>> Columns, List<string> ForeignKeys,
        Dictionary<string, string?> Indexes, List<string> Steps);
}
