using System.Security.Cryptography;
using Npgsql;

namespace ChatBridge.Bench;

/// <summary>
/// The database one workload's hosts share. SQLite: each host's own file in its temp folder (nothing to do here).
/// PostgreSQL: a fresh database created on the given server for the workload and dropped after it, so no run sees
/// another's rows or statistics.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _adminConnectionString;
    private readonly string? _name;
    private int _ended;

    private BenchDatabase(IReadOnlyList<string> hostArgs, string? adminConnectionString = null, string? name = null, string? connectionString = null)
    {
        HostArgs = hostArgs;
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The configuration that points a host at this database.</summary>
    public IReadOnlyList<string> HostArgs { get; }

    /// <summary>The PostgreSQL database's own connection string; null on SQLite.</summary>
    public string? ConnectionString { get; }

    public static Task<BenchDatabase> CreateAsync(BenchOptions options) =>
        options.Provider == BenchOptions.Postgres ? CreatePostgresAsync(options.PostgresConnectionString!) : Task.FromResult(new BenchDatabase([]));

    /// <summary>A fresh database on the server <paramref name="admin"/> reaches, as a user who may create databases.</summary>
    public static async Task<BenchDatabase> CreatePostgresAsync(string admin)
    {
        var name = $"chatbridge_bench_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var target = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        var database = new BenchDatabase(
            ["--ChatBridge:Database:Provider=Postgres", $"--ChatBridge:Database:ConnectionString={target}"], admin, name, target);
        Leftovers.Hold(database);
        return database;
    }

    /// <summary>Once, by whichever comes first: the run's own <c>await using</c> or <see cref="Leftovers"/> on a signal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }
        Leftovers.Release(this);
        if (_name is not null)
        {
            // The hosts have exited; FORCE only ends connections a killed host may have left behind on the server.
            await ExecuteAsync(_adminConnectionString!, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        // No pooling: the admin connection is used twice per workload, and a pooled one would hold the database open.
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
