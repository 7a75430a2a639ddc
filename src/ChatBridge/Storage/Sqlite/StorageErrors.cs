using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>Names what kind of storage failure an exception is, for the error answer, the metrics and the log.</summary>
internal static class StorageErrors
{
    public const string Full = "storage_full";
    public const string Busy = "busy";
    public const string Other = "io";

    /// <summary>Refused at once because the write queue has stopped for good.</summary>
    public const string Stopped = "stopped";

    /// <summary>ENOSPC (Linux): SQLite reports it as SQLITE_FULL, .NET's own file calls (syncing the log) as an IOException with this HResult.</summary>
    private const int NoSpaceLeft = 28;

    public static string Classify(Exception error) => error switch
    {
        _ when IsFull(error) => Full,
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED } => Busy,
        _ => Other,
    };

    public static bool IsFull(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL } => true,
        WriteGroupFailedException { InnerException: { } cause } => IsFull(cause),
        IOException io => io.HResult == NoSpaceLeft,
        _ => false,
    };
}
