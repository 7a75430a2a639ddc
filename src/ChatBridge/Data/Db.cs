using ChatBridge.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatBridge.Data;

/// <summary>
/// Opens connections to the control database: pooled ones for reads, which WAL lets run beside the writer,
/// and the writer's own, set up for durable commits.
/// </summary>
internal sealed class Db
{
    private readonly string _connectionString;

    // Settings a writing connection needs; journal_mode=WAL is stored in the file and set once by the migrator.
    private readonly string _writerPragmas;

    public Db(IOptions<ChatBridgeOptions> options, IHostEnvironment environment)
    {
        FilePath = Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath);
        var busyTimeoutMs = options.Value.BusyTimeoutMs;
        _writerPragmas = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = FULL;";
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

    /// <summary>
    /// A pooled connection for reading. It runs no setup statement: a reader in WAL mode is not blocked by the
    /// writer, and the rare busy moment (a checkpoint) is retried by the driver for <c>DefaultTimeout</c>.
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection for writing: waits out another writer for the busy timeout, and syncs every commit to disk.</summary>
    public async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        try
        {
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = _writerPragmas;
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
