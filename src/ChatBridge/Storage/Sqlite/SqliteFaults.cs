using ChatBridge.Data;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>SQLite's failures as the error handler answers them.</summary>
internal sealed class SqliteFaults : IStorageFaults
{
    public StorageFaultKind? Classify(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED } => StorageFaultKind.Busy,
        _ when StorageErrors.IsFull(error) => StorageFaultKind.Full,
        WriteQueueStoppedException => StorageFaultKind.Stopped,
        // The write's whole group failed (a fault of the file or of the connection); the next group runs on a fresh one.
        WriteGroupFailedException => StorageFaultKind.Busy,
        _ => null,
    };
}
