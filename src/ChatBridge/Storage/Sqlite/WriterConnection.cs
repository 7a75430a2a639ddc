using ChatBridge.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// The single writer's connection, handed to each write inside the group transaction being built. It keeps
/// the commands of the hot statements: Microsoft.Data.Sqlite prepares a statement again every time a new
/// command runs it, which cost the writer more than executing it. A kept command stays prepared for the life
/// of the connection.
/// </summary>
internal sealed class WriterConnection : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly KeptStatements _statements;

    private WriterConnection(SqliteConnection connection, WalFile? wal)
    {
        _connection = connection;
        _statements = new KeptStatements(connection);
        Wal = wal;
    }

    public SqliteConnection Connection => _connection;

    /// <summary>The log to sync once <see cref="CommitSyncs"/> is false; null when the database is not in WAL mode.</summary>
    public WalFile? Wal { get; }

    /// <summary>
    /// Whether COMMIT itself syncs the log to disk (<c>synchronous = FULL</c>). It does for the connection's first
    /// group, so that SQLite syncs a log file it has just created along with its directory entry, and always when
    /// the database is not in WAL mode. After that, commits only write the log and <see cref="Wal"/> is synced
    /// apart, so the writer can go on with the next group while the disk works.
    /// </summary>
    public bool CommitSyncs { get; private set; } = true;

    public static async Task<WriterConnection> OpenAsync(Db db, CancellationToken ct)
    {
        var connection = await db.OpenWriterAsync(ct);
        try
        {
            var mode = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode");
            return new WriterConnection(connection, string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase) ? new WalFile(db.FilePath) : null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>After the first group has committed: later commits leave the syncing to <see cref="Wal"/>.</summary>
    public void CommitWithoutSync()
    {
        if (CommitSyncs && Wal is not null)
        {
            _connection.Execute("PRAGMA synchronous = NORMAL");
            CommitSyncs = false;
        }
    }

    /// <summary>The group transaction every statement must join.</summary>
    public SqliteTransaction Transaction { get; private set; } = null!;

    /// <summary>
    /// The kept command for <paramref name="sql"/> (prepared on first use) with these parameter values bound.
    /// Only for fixed SQL on hot paths: every distinct text is kept for as long as the connection lives.
    /// </summary>
    public SqliteCommand Statement(string sql, params ReadOnlySpan<SqlParam> parameters) =>
        _statements.Get(sql, Transaction, parameters);

    /// <summary>The group transaction's statements, as the stores write them.</summary>
    public ISqlSession Session(CancellationToken ct) => new SqliteSession(_statements, Transaction, ct);

    public SqliteTransaction Begin() => Transaction = _connection.BeginTransaction();

    public async ValueTask DisposeAsync()
    {
        await _statements.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
