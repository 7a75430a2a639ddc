namespace ChatBridge.Data;

/// <summary>What kind of storage failure made a request fail; nothing is wrong with the request itself.</summary>
internal enum StorageFaultKind
{
    /// <summary>Another writer held the database past the busy timeout, or a write's group failed: retry in a moment.</summary>
    Busy,

    /// <summary>The disk is full: writes fail until there is space again, which rarely comes back within a second.</summary>
    Full,

    /// <summary>Writes have stopped for good in this process: only a restart brings them back.</summary>
    Stopped,

    /// <summary>The database server cannot be reached: an instance reconnects as soon as it is back.</summary>
    Unavailable,
}

/// <summary>
/// Recognises the engine's own exceptions as a <see cref="StorageFaultKind"/>, so the error handler answers a 503 with
/// the right advice without knowing any engine. Each engine registers one.
/// </summary>
internal interface IStorageFaults
{
    /// <summary>The kind of fault <paramref name="error"/> is, or null when it is not the engine's.</summary>
    StorageFaultKind? Classify(Exception error);
}
