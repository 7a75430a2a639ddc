using Microsoft.Win32.SafeHandles;

namespace ChatBridge.Storage.Sqlite;

/// <summary>Forces the write-ahead log's committed frames to the disk. Tests put a gate in front of it.</summary>
internal interface IWalSync
{
    void Sync(SafeFileHandle wal);
}

internal sealed class FsyncWalSync : IWalSync
{
    public void Sync(SafeFileHandle wal) => RandomAccess.FlushToDisk(wal);
}

/// <summary>
/// The <c>-wal</c> file of the writer's connection, opened on first sync. SQLite removes that file only when
/// the last connection closes, and the writer's connection stays open, so the handle stays the live file's.
/// </summary>
internal sealed class WalFile(string databasePath) : IDisposable
{
    private SafeFileHandle? _handle;

    public void Sync(IWalSync sync)
    {
        _handle ??= File.OpenHandle(databasePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        sync.Sync(_handle);
    }

    public void Dispose() => _handle?.Dispose();
}
