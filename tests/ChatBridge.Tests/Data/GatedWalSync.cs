using ChatBridge.Storage.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace ChatBridge.Tests.Data;

/// <summary>The real sync, which a test can hold back or make fail.</summary>
internal sealed class GatedWalSync : IWalSync
{
    private readonly ManualResetEventSlim _open = new(initialState: true);

    /// <summary>Released each time a sync starts waiting at the closed gate.</summary>
    public SemaphoreSlim SyncWaiting { get; } = new(0);

    public Exception? Failure { get; set; }

    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    public void Sync(SafeFileHandle wal)
    {
        if (!_open.IsSet)
        {
            SyncWaiting.Release();
            _open.Wait(TimeSpan.FromSeconds(10));
        }
        if (Failure is { } failure)
        {
            throw failure;
        }
        RandomAccess.FlushToDisk(wal);
    }
}
