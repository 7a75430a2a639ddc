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
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var admin = AdminConnectionString ?? throw new InvalidOperationException(Missing);
        var name = $"cb_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
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
