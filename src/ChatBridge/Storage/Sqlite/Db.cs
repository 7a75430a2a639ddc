using ChatBridge.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Opens connections to the control database: pooled ones for reads, which WAL lets run beside the writer,
/// and the writer's own, unpooled and set up for durable commits.
/// </summary>
internal sealed class Db
{
    private readonly string _readerConnectionString;
    private readonly string _writerConnectionString;
    private readonly string _migratorConnectionString;

    // Settings a writing connection needs; journal_mode=WAL is stored in the file and set once by the migrator.
    private readonly string _writerPragmas;

    public Db(IOptions<ChatBridgeOptions> options, IHostEnvironment environment)
    {
        FilePath = BridgePaths.Resolve(options.Value.DatabasePath, environment);
        var busyTimeoutMs = options.Value.BusyTimeoutMs;
        _writerPragmas = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = FULL;";
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // The driver retries a busy statement until this many seconds have passed; keep it in step.
            DefaultTimeout = (busyTimeoutMs + 999) / 1000,
        };
        _readerConnectionString = builder.ToString();
        // Foreign keys only act on writes; the driver sets them on every open, so readers are spared it.
        builder.ForeignKeys = true;
        // The writer opens once and again only after a failed group, so a pool saves it nothing, and costs it two
        // hazards: a handle given back keeps its state (an open transaction) for the next writer, and the driver's
        // pool can take a connection for leaked in the instant it is handed out (by ClearAllPools, or an open that finds
        // the pool empty) and close, or hand out again, a handle its opener is still using.
        builder.Pooling = false;
        _writerConnectionString = builder.ToString();
        // A table rebuilt during an upgrade is dropped and made again: with foreign keys on, the drop would run the ON
        // DELETE actions of every row that refers to it.
        builder.ForeignKeys = false;
        _migratorConnectionString = builder.ToString();
    }

    public string FilePath { get; }

    /// <summary>
    /// A pooled connection for reading, never for writing (it has foreign keys off). It runs no setup statement:
    /// a reader in WAL mode is not blocked by the writer, and the rare busy moment (a checkpoint) is retried by
    /// the driver for <c>DefaultTimeout</c>.
    /// </summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken ct) => OpenAsync(_readerConnectionString, ct);

    private static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
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
    public Task<SqliteConnection> OpenWriterAsync(CancellationToken ct) => OpenForWritesAsync(_writerConnectionString, ct);

    /// <summary>The writer's connection for schema steps, with foreign keys off (see the constructor).</summary>
    public Task<SqliteConnection> OpenMigratorAsync(CancellationToken ct) => OpenForWritesAsync(_migratorConnectionString, ct);

    private async Task<SqliteConnection> OpenForWritesAsync(string connectionString, CancellationToken ct)
    {
        var connection = await OpenAsync(connectionString, ct);
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
