using ChatBridge.Data;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>SQLite's failures as the error handler answers them.</summary>
internal sealed class SqliteFaults : IStorageFaults
{
    public StorageFaultKind? Classify(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED } => StorageFaultKind.Busy,
        // A file that is not (or no longer) a database answers like an unreachable server: the health check says so too.
        _ when IsUnusableFile(error) => StorageFaultKind.Unavailable,
        _ when StorageErrors.IsFull(error) => StorageFaultKind.Full,
        WriteQueueStoppedException => StorageFaultKind.Stopped,
        WriteQueueBusyException => StorageFaultKind.Busy,
        // The write's whole group failed (a fault of the file or of the connection); the next group runs on a fresh one.
        WriteGroupFailedException => StorageFaultKind.Busy,
        _ => null,
    };

    private static bool IsUnusableFile(Exception error) =>
        (error as SqliteException ?? error.InnerException as SqliteException) switch
        {
            { SqliteErrorCode: SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CANTOPEN } => true,
            // The tables were there at start: a file emptied (or replaced by an empty one) while the service runs.
            { SqliteErrorCode: SQLitePCL.raw.SQLITE_ERROR } missing => missing.Message.Contains("no such table", StringComparison.Ordinal),
            _ => false,
        };
}
