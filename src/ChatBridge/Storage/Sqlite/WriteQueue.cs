using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using ChatBridge.Data;
using ChatBridge.Observability;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// The bridge's only writer. SQLite takes one writer at a time; letting every request open its own write
/// transaction makes them queue on the file lock with sleep-and-retry, which stalls for hundreds of
/// milliseconds under load. Here writes queue in memory instead, and one connection commits whatever has
/// gathered as a single transaction (group commit), each write in a savepoint so that one that fails is
/// rolled back alone.
/// <para>
/// Syncing is pipelined: the commit only appends to the write-ahead log, and a second thread then syncs the
/// log, once for every group committed since its last sync, while the writer goes on with the next group.
/// A <see cref="Durability.Synced"/> write completes after that sync; the log only grows, so one sync covers
/// all that was committed before it, as <c>synchronous = FULL</c> would.
/// </para>
/// <para>
/// A write may also be announced (a WebSocket push, a long poll woken) as soon as it is committed: from then on
/// every reader sees it anyway, so listeners need not wait for the disk. Only the writer's own caller is promised
/// durability before hearing "done".
/// </para>
/// <para>
/// Should either loop die of an error nobody foresaw, or a sync of the log fail (after which the disk's word cannot be
/// trusted), the queue stops: the writes waiting in it and every later one fail with
/// <see cref="WriteQueueStoppedException"/> instead of waiting forever, <see cref="Fault"/> says why, and
/// <c>/health</c> turns 503 until the service restarts.
/// </para>
/// <para>
/// The host starts the queue before any other service and stops it after all of them (and the server) have stopped, so
/// every write they made on their way out is committed and synced before the process ends; a write after that is
/// refused. Writes made before the host starts (the schema's first keys, a command-line verb, which never starts the
/// host) start it themselves.
/// </para>
/// </summary>
internal sealed class WriteQueue : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>Writes committed together at most; bounds how long the first of them waits for the rest.</summary>
    private const int MaxBatch = 256;

    /// <summary>Writes waiting at most: past it a write is refused at once (503, retry) rather than memory growing without bound.</summary>
    internal const int MaxQueued = 10_000;

    /// <summary>
    /// A write that waited this long for its turn is refused (503, retry) instead of run: its client has been kept
    /// waiting long enough, and a writer that far behind needs the load to ease, not more of it.
    /// </summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CommittedGroup> _committed = Channel.CreateUnbounded<CommittedGroup>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Db _db;
    private readonly IWalSync _walSync;
    private readonly ILogger<WriteQueue> _logger;
    private readonly BridgeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Lock _lifecycle = new();
    private Task? _writer;
    private Task? _syncer;

    // Set once the queue is asked to stop; from then on it never starts.
    private Task? _drained;
    private WriterConnection? _connection;
    private WriteQueueStoppedException? _fault;

    // Writes in the queue not yet taken into a group; the single-reader channel cannot count them itself.
    private long _queued;

    // UTC ticks of the first write refused for a full disk since the last commit; 0 when none. Set by the writer
    // and the syncer, read by the health check: a long is read and written whole.
    private long _storageFullSinceTicks;

    public WriteQueue(Db db, IWalSync walSync, BridgeMetrics metrics, TimeProvider time, ILogger<WriteQueue> logger)
    {
        _db = db;
        _walSync = walSync;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("chatbridge.write_queue.depth", () => Queued, "{write}",
            "Writes queued for the writer and not yet in a group");
    }

    /// <summary>Writes in the queue, not yet taken into a group.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Why the queue stopped for good, or null while it works.</summary>
    public WriteQueueStoppedException? Fault => Volatile.Read(ref _fault);

    /// <summary>Since when writes fail because the disk is full; null once a group commits again.</summary>
    public DateTimeOffset? StorageFullSince =>
        Interlocked.Read(ref _storageFullSinceTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;


    /// <summary>
    /// Runs <paramref name="write"/> inside the next group transaction and completes as soon as that is committed, before
    /// any sync: the caller may announce the write to listeners then, and awaits <see cref="Written{T}.Durable"/> before
    /// telling its client the write is stored.
    /// </summary>
    public Task<Written<T>> WriteAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct)
    {
        if (Volatile.Read(ref _writer) is null)
        {
            Start();
        }
        if (Fault is null && Queued >= MaxQueued)
        {
            _metrics.WriteGroupFailed(StorageErrors.Busy, 1);
            return Task.FromException<Written<T>>(new WriteQueueBusyException($"{MaxQueued} writes are waiting already"));
        }
        var operation = new Write<T>(write, durability, ct, _time.GetTimestamp());
        if (Fault is null && _queue.Writer.TryWrite(operation))
        {
            Interlocked.Increment(ref _queued);
            return operation.Committed;
        }
        if (Fault is { } fault)
        {
            _metrics.WriteGroupFailed(StorageErrors.Stopped, 1);
            return Task.FromException<Written<T>>(fault);
        }
        throw new ObjectDisposedException(nameof(WriteQueue), "The service is shutting down.");
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every other service: what they wrote is committed and synced, unless the host's shutdown timeout runs out first.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => DrainAsync().WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await DrainAsync();

    private void Start()
    {
        lock (_lifecycle)
        {
            if (_writer is not null || _drained is not null)
            {
                return;
            }
            // Syncing blocks on the disk for most of its time: a thread of its own keeps it off the pool.
            _syncer = Task.Factory.StartNew(SyncLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Volatile.Write(ref _writer, Task.Run(WriteLoopAsync));
        }
    }

    /// <summary>Refuses new writes, lets the loops finish the queued ones, and closes the connection; the same task however often it is asked.</summary>
    private Task DrainAsync()
    {
        lock (_lifecycle)
        {
            return _drained ??= DrainLoopsAsync(_writer, _syncer);
        }
    }

    private async Task DrainLoopsAsync(Task? writer, Task? syncer)
    {
        _queue.Writer.TryComplete();
        if (writer is null || syncer is null)
        {
            return;
        }
        await writer;
        _committed.Writer.TryComplete();
        await syncer;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await WriteBatchesAsync();
        }
        catch (Exception e)
        {
            Stop("writer", e);
            // Nothing reads the queue any more: closed, later writes fail in WriteAsync; whatever is in it fails here.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var write))
            {
                write.Fail(_fault!);
            }
        }
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                Interlocked.Decrement(ref _queued);
                // A caller that gave up before its turn (a closed long poll, say) must not have its write applied.
                if (write.CancelIfRequested())
                {
                    continue;
                }
                if (_time.GetElapsedTime(write.QueuedAt) > MaxWait)
                {
                    _metrics.WriteGroupFailed(StorageErrors.Busy, 1);
                    write.Fail(new WriteQueueBusyException($"it waited over {MaxWait.TotalSeconds:0} s for its turn"));
                    continue;
                }
                batch.Add(write);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                if (Fault is { } fault)
                {
                    throw fault;
                }
                await CommitAsync(batch);
            }
            catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
            {
                // The transaction as a whole failed (the file is locked by another process past the busy timeout,
                // the disk is full or gone, the connection broken): every write in it fails, and the next batch
                // starts on a fresh connection.
                var reason = RecordFailure(e, batch.Count);
                _logger.LogWarning(e, "A group of {Count} writes failed ({Reason})", batch.Count, reason);
                var failure = new WriteGroupFailedException(e);
                foreach (var write in batch)
                {
                    write.Fail(failure);
                }
                await ResetConnectionAsync();
            }
            catch (Exception e)
            {
                foreach (var write in batch)
                {
                    write.Fail(e);
                }
                throw;
            }
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<IWrite> batch)
    {
        _connection ??= await WriterConnection.OpenAsync(_db, CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        using (var tx = _connection.Begin())
        {
            foreach (var write in batch)
            {
                await write.ExecuteAsync(_connection);
            }
            tx.Commit();
        }
        // Cleared before any write of the group completes, so a caller told "stored" never finds health still degraded.
        if (Interlocked.Read(ref _storageFullSinceTicks) != 0)
        {
            Interlocked.Exchange(ref _storageFullSinceTicks, 0);
        }
        _metrics.Committed(Stopwatch.GetElapsedTime(started));
        List<IWrite>? awaitingSync = null;
        foreach (var write in batch)
        {
            write.CompleteCommit();
            if (_connection.CommitSyncs || !write.NeedsSync)
            {
                write.Complete();
            }
            else
            {
                (awaitingSync ??= []).Add(write);
            }
        }
        if (awaitingSync is not null && !_committed.Writer.TryWrite(new CommittedGroup(_connection.Wal!, awaitingSync)))
        {
            // The syncer has stopped: committed, but nobody will make it durable.
            foreach (var write in awaitingSync)
            {
                write.Fail(Fault ?? new WriteQueueStoppedException("syncer", null));
            }
        }
        _connection.CommitWithoutSync();
    }

    /// <summary>
    /// Closes the connection of a failed group for good; SQLite rolls back whatever it still had open. It is
    /// forgotten first, so that a close that fails too can neither stop the writer nor leave it the broken handle.
    /// </summary>
    private async Task ResetConnectionAsync()
    {
        if (_connection is not { } broken)
        {
            return;
        }
        _connection = null;
        try
        {
            await broken.DisposeAsync();
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
        {
            _logger.LogWarning(e, "Closing the writer's failed connection failed; the next group opens a new one");
        }
    }

    /// <summary>Counts writes that failed with their group, and notes when a full disk began refusing them.</summary>
    private string RecordFailure(Exception error, int writes)
    {
        var reason = StorageErrors.Classify(error);
        if (reason == StorageErrors.Full)
        {
            Interlocked.CompareExchange(ref _storageFullSinceTicks, _time.GetUtcNow().UtcTicks, 0);
        }
        _metrics.WriteGroupFailed(reason, writes);
        return reason;
    }

    /// <summary>Records why a loop died, once, so callers and <c>/health</c> can say it.</summary>
    private void Stop(string loop, Exception cause)
    {
        var fault = new WriteQueueStoppedException(loop, cause);
        if (Interlocked.CompareExchange(ref _fault, fault, null) is null)
        {
            _logger.LogCritical(cause, "The write queue's {Loop} stopped: {Reason}. Every write fails until the service restarts", loop, cause.Message);
        }
    }

    private void SyncLoop()
    {
        var groups = new List<CommittedGroup>();
        try
        {
            SyncGroups(groups);
        }
        catch (Exception e)
        {
            Stop("syncer", e);
            _committed.Writer.TryComplete();
            while (_committed.Reader.TryRead(out var group))
            {
                groups.Add(group);
            }
            foreach (var write in groups.SelectMany(g => g.Writes))
            {
                write.Fail(_fault!);
            }
        }
    }

    /// <summary>
    /// Blocks until a committed group arrives (false once none will). Not with <c>Task.Wait</c>: it spins before it
    /// blocks, and between fsyncs that spinning took a tenth of the host's CPU under a posting load, on the same two
    /// cores the requests need.
    /// </summary>
    private bool WaitForCommitted()
    {
        var ready = _committed.Reader.WaitToReadAsync();
        if (ready.IsCompleted)
        {
            return ready.GetAwaiter().GetResult();
        }
        using var waiting = ready.AsTask();
        ((IAsyncResult)waiting).AsyncWaitHandle.WaitOne();
        return waiting.GetAwaiter().GetResult();
    }

    private void SyncGroups(List<CommittedGroup> groups)
    {
        WalFile? current = null;
        while (WaitForCommitted())
        {
            while (_committed.Reader.TryRead(out var group))
            {
                groups.Add(group);
            }
            Exception? failure = null;
            try
            {
                foreach (var wal in groups.Select(g => g.Wal).Distinct())
                {
                    var started = Stopwatch.GetTimestamp();
                    wal.Sync(_walSync);
                    _metrics.Synced(Stopwatch.GetElapsedTime(started));
                    // Groups arrive in commit order: once a newer connection's log shows up, the old one is done with.
                    if (current is not null && current != wal)
                    {
                        current.Dispose();
                    }
                    current = wal;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Committed and visible, but not known to be on the disk: the callers must not be told it is stored.
                // Nor may anything be written after it: Linux may drop the pages a failed fsync did not write and
                // report the next fsync as a success, so a later "stored" could be a lie. The queue stops, as
                // PostgreSQL does, until a restart lets SQLite recover from what the disk really holds.
                var count = groups.Sum(g => g.Writes.Count);
                var reason = RecordFailure(e, count);
                _logger.LogError(e, "Syncing the write-ahead log failed ({Reason}); {Count} committed writes are reported as failed", reason, count);
                Stop("syncer", new IOException($"syncing the write-ahead log failed, so the disk may have lost pages it reported written ({e.Message})", e));
                failure = Fault;
            }
            foreach (var write in groups.SelectMany(g => g.Writes))
            {
                if (failure is null)
                {
                    write.Complete();
                }
                else
                {
                    write.Fail(failure);
                }
            }
            groups.Clear();
        }
        current?.Dispose();
    }

    private sealed record CommittedGroup(WalFile Wal, List<IWrite> Writes);

    private interface IWrite
    {
        /// <summary>Whether it succeeded and asked to be <see cref="Durability.Synced"/>; a failed write has nothing to sync.</summary>
        bool NeedsSync { get; }

        /// <summary>When it was queued, in <see cref="TimeProvider.GetTimestamp"/> ticks.</summary>
        long QueuedAt { get; }

        bool CancelIfRequested();

        Task ExecuteAsync(WriterConnection writer);

        /// <summary>Hands the caller its result (or its own error) once the group is committed.</summary>
        void CompleteCommit();

        /// <summary>Marks it as durable as it asked to be.</summary>
        void Complete();

        void Fail(Exception error);
    }

    private sealed class Write<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct, long queuedAt) : IWrite
    {
        public long QueuedAt => queuedAt;

        private readonly TaskCompletionSource<Written<T>> _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<Written<T>> Committed => _committed.Task;

        public bool NeedsSync => durability == Durability.Synced && _error is null;

        public bool CancelIfRequested() => ct.IsCancellationRequested && _committed.TrySetCanceled(ct);

        public async Task ExecuteAsync(WriterConnection writer)
        {
            writer.Statement("SAVEPOINT write").ExecuteNonQuery();
            try
            {
                // The group does not wait for a caller who gave up: its own cancellation is not this write's.
                _result = await write(writer.Session(CancellationToken.None));
                writer.Statement("RELEASE write").ExecuteNonQuery();
            }
            catch (Exception e) when (e is not (SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_CORRUPT }))
            {
                // This write alone is undone; the others in the group go on. Faults of the file itself fail the group.
                writer.Statement("ROLLBACK TO write; RELEASE write").ExecuteNonQuery();
                _error = e;
            }
        }

        public void CompleteCommit()
        {
            if (_error is not null)
            {
                _committed.TrySetException(_error);
            }
            else
            {
                _committed.TrySetResult(new Written<T>(_result!, _durable.Task));
            }
        }

        public void Complete() => _durable.TrySetResult();

        /// <summary>Before the commit the caller hears of it at once; after it, through <see cref="Written{T}.Durable"/>.</summary>
        public void Fail(Exception error)
        {
            if (!_committed.TrySetException(error))
            {
                _durable.TrySetException(error);
            }
        }
    }
}

/// <summary>
/// The group transaction this write was in failed as a whole (its cause is the inner exception); it was not applied.
/// The writer goes on with a fresh connection, so the same write may well succeed a moment later.
/// </summary>
internal sealed class WriteGroupFailedException(Exception cause)
    : DbException($"The write's group transaction failed: {cause.Message}", cause);

/// <summary>The write was refused before it ran, the writer being too far behind: nothing was applied, retry shortly.</summary>
internal sealed class WriteQueueBusyException(string reason) : Exception($"The write was refused: {reason}");

/// <summary>The write queue stopped for good: a loop died of an error nobody foresaw. The service needs a restart.</summary>
internal sealed class WriteQueueStoppedException(string loop, Exception? cause)
    : Exception($"The write queue's {loop} stopped: {cause?.Message ?? "unknown error"}", cause);
