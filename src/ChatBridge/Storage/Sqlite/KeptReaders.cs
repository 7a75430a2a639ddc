using System.Collections.Concurrent;
using ChatBridge.Data;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Reader connections that keep their prepared statements, for the hottest reads (a poll of <c>responses</c>).
/// Microsoft.Data.Sqlite compiles a statement again for every new command; perf put that compilation (parser and
/// query planner) at 6–8 % of a w1 poll's host CPU, more than the read it prepares. A kept reader is rented for one
/// read and handed back; one that failed is closed instead, so a fault never sticks to the pool.
/// </summary>
internal sealed class KeptReaders(Db db) : IAsyncDisposable
{
    /// <summary>Idle readers kept beyond this are closed: enough for a busy host's concurrent polls.</summary>
    private const int MaxIdle = 64;

    private readonly ConcurrentBag<KeptReader> _idle = [];
    private int _idleCount;
    private bool _disposed;

    /// <summary>Runs <paramref name="read"/> on a kept reader.</summary>
    public async Task<T> ReadAsync<T>(Func<KeptReader, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var reader = await RentAsync(ct);
        T result;
        try
        {
            result = await read(reader, ct);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
        await ReturnAsync(reader);
        return result;
    }

    private async ValueTask<KeptReader> RentAsync(CancellationToken ct)
    {
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return idle;
        }
        return new KeptReader(await db.OpenAsync(ct));
    }

    private async ValueTask ReturnAsync(KeptReader reader)
    {
        if (Volatile.Read(ref _disposed) || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!Volatile.Read(ref _disposed))
            {
                Interlocked.Decrement(ref _idleCount);
            }
            await reader.DisposeAsync();
            return;
        }
        _idle.Add(reader);
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var reader))
        {
            await reader.DisposeAsync();
        }
    }
}

/// <summary>One reader connection and its kept commands, used by one read at a time.</summary>
internal sealed class KeptReader(SqliteConnection connection) : IAsyncDisposable
{
    private readonly KeptStatements _statements = new(connection);

    /// <summary>Statements one after the other, each seeing what was committed before it.</summary>
    public ISqlSession Session(CancellationToken ct) => new SqliteSession(_statements, transaction: null, ct);

    /// <summary>Statements in one read transaction: all of them see the same committed rows.</summary>
    public async Task<T> InSnapshotAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct)
    {
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await read(new SqliteSession(_statements, snapshot, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _statements.DisposeAsync();
        await connection.DisposeAsync();
    }
}
