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
        Assert.Equal(sqlite.Tables.Append("bridge_rate_counters").Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
        foreach (var table in sqlite.Tables)
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
    public async Task Defaults_write_timestamps_in_the_bridges_one_form_and_explicit_ids_are_kept()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();

        await connection.ExecuteAsync("INSERT INTO users (id, username) VALUES (41, 'ada')");
        var user = await connection.QuerySingleAsync<(long Id, string Role, long IsActive, string CreatedAt)>(
            "SELECT id, role, is_active, created_at FROM users");

        Assert.Equal((41L, "user", 1L), (user.Id, user.Role, user.IsActive));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", user.CreatedAt);
        Assert.True(ChatBridge.Http.Timestamps.TryParse(user.CreatedAt, out var created));
        Assert.InRange(DateTimeOffset.UtcNow - created, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
    }

    [PostgresFact]
    public async Task Migrating_again_or_from_several_instances_at_once_applies_each_step_once()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Migrator(dataSource).MigrateAsync(CancellationToken.None))));
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO agents (name) VALUES ('Athena')");
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        var steps = (await connection.QueryAsync<(long Version, string Description, string AppliedAt)>(
            "SELECT version, description, applied_at FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(Enumerable.Range(1, PostgresSchemaMigrator.Steps.Count).Select(v => (long)v), steps.Select(s => s.Version));
        Assert.Equal(PostgresSchemaMigrator.Steps.Select(s => "chatbridge: " + s.Name), steps.Select(s => s.Description));
        Assert.All(steps, s => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", s.AppliedAt));
        Assert.Equal("Athena", await connection.ExecuteScalarAsync<string>("SELECT name FROM agents"));
    }

    [Fact]
    public async Task The_steps_shared_with_sqlite_have_the_same_names_and_numbers()
    {
        var sqliteSteps = (await SqliteSchemaAsync()).Steps;

        // PostgreSQL's own step 008 came before SQLite's; every other step is SQLite's, in its order.
        Assert.Equal(sqliteSteps, PostgresSchemaMigrator.Steps.Where(s => s.Name != RateCountersStep).Select(s => "chatbridge: " + s.Name));
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
            DELETE FROM schema_version WHERE description IN (
                'chatbridge: 008 index messages and replies by time for the dashboard',
                'chatbridge: 009 daily figures of closed days for the dashboard');
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
        Assert.Equal(PostgresSchemaMigrator.Steps.Count, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_version"));
    }

    private const string RateCountersStep = "008 rate-limit windows shared by every instance";

    private static PostgresSchemaMigrator Migrator(NpgsqlDataSource dataSource) =>
        new(dataSource, NullLogger<PostgresSchemaMigrator>.Instance);

    /// <summary>The schema the SQLite migrator makes on a new file: what PostgreSQL must match.</summary>
    private async Task<SqliteSchema> SqliteSchemaAsync()
    {
        var path = Path.Combine(_folder, "sanctum_ui.db");
        using (var app = new BridgeApp { DatabasePath = path })
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
        var steps = (await connection.QueryAsync<string>("SELECT description FROM schema_version ORDER BY version")).ToList();
        return new SqliteSchema(tables, columns, [.. foreignKeys.Order(StringComparer.Ordinal)], indexes, steps);
    }

    private sealed record SqliteSchema(
        List<string> Tables, Dictionary<string, IEnumerable<string>> Columns, List<string> ForeignKeys,
        Dictionary<string, string?> Indexes, List<string> Steps);
}
