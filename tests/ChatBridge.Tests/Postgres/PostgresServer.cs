using ChatBridge.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// The PostgreSQL server the tests use, named by <c>CHATBRIDGE_TEST_POSTGRES</c> (an admin connection string;
/// <c>bash .ci/run</c> starts a throwaway cluster and sets it). Each caller gets a database of its own.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "CHATBRIDGE_TEST_POSTGRES";

    public const string Missing = $"PostgreSQL tests need {Variable}; bash .ci/run starts a throwaway cluster and sets it";

    private static string? AdminConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Why PostgreSQL tests are skipped here, or null when they run. On CI (<c>CI=true</c>) they always run,
    /// so a missing server fails them instead of passing unnoticed.
    /// </summary>
    public static string? SkipReason =>
        AdminConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? Missing
            : null;

    /// <summary>A new, empty database, dropped when the result is disposed.</summary>
    public static Task<TestDatabase> CreateDatabaseAsync() => CreateAsync("");

    /// <summary>
    /// A new database with the service's schema in place, as the migrator leaves it at a host's first start (the keys
    /// are still the host's to seed), dropped when the result is disposed. The schema is built once per test run and
    /// copied: hundreds of hosts each migrating an empty database of their own cost the PostgreSQL pass 40 of its 306
    /// CPU seconds. Migrating from empty or older shapes is the <c>Postgres/</c> tests' subject, on empty databases.
    /// </summary>
    public static async Task<TestDatabase> CreateMigratedDatabaseAsync() =>
        await CreateAsync($" TEMPLATE \"{await MigratedTemplate.Value}\"");

    private static readonly Lazy<Task<string>> MigratedTemplate = new(CreateMigratedTemplateAsync);

    private static async Task<string> CreateMigratedTemplateAsync()
    {
        var template = await CreateAsync("");
        // No connection may stay open on a template while it is copied: this one is not pooled.
        var connectionString = new NpgsqlConnectionStringBuilder(template.ConnectionString) { Pooling = false }.ToString();
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await new PostgresSchemaMigrator(dataSource, NullLogger<PostgresSchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => template.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return template.Name;
    }

    private static async Task<TestDatabase> CreateAsync(string options)
    {
        var admin = AdminConnectionString ?? throw new InvalidOperationException(Missing);
        var name = $"cb_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{options}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(admin, name);
    }
}

/// <summary>One test's database on the <see cref="PostgresServer"/>.</summary>
internal sealed class TestDatabase(string adminConnectionString, string name) : IAsyncDisposable
{
    public string Name => name;

    public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ToString();

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Drops the database, ending whatever connections a test or a host left open on it.</summary>
    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A fact that needs PostgreSQL: skipped with the reason when none is configured, except on CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = PostgresServer.SkipReason;
}

/// <summary>A theory that needs PostgreSQL: skipped with the reason when none is configured, except on CI.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute() => Skip = PostgresServer.SkipReason;
}
