using ChatBridge.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatBridge.Data;

/// <summary>Opens connections to the control database, each set up for concurrent, durable use.</summary>
internal sealed class Db
{
    // Per-connection settings; journal_mode=WAL is stored in the file and set once by the migrator.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;";

    private readonly string _connectionString;

    public Db(IOptions<ChatBridgeOptions> options, IHostEnvironment environment)
    {
        FilePath = Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 5,
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
            pragmas.CommandText = ConnectionPragmas;
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
