using ChatBridge.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatBridge.Data;

/// <summary>Opens connections to the control database, each set up for concurrent, durable use.</summary>
internal sealed class Db
{
    private readonly string _connectionString;

    // Per-connection settings; journal_mode=WAL is stored in the file and set once by the migrator.
    private readonly string _connectionPragmas;

    public Db(IOptions<ChatBridgeOptions> options, IHostEnvironment environment)
    {
        FilePath = Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath);
        var busyTimeoutMs = options.Value.BusyTimeoutMs;
        _connectionPragmas = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = FULL;";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            // The driver retries a busy statement until this many seconds have passed; keep it in step.
            DefaultTimeout = (busyTimeoutMs + 999) / 1000,
        }.ToString();
    }

    public string FilePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = _connectionPragmas;
            await pragmas.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
