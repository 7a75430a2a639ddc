using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Data;

/// <summary>
/// The bridge's only writer. SQLite takes one writer at a time; letting every request open its own write
/// transaction makes them queue on the file lock with sleep-and-retry, which stalls for hundreds of
/// milliseconds under load. Here writes queue in memory instead, and one connection commits whatever has
/// gathered as a single transaction: one fsync for the lot (group commit). Each write runs in a savepoint,
/// so one that fails is rolled back alone, and no caller hears "done" before the commit is on disk.
/// </summary>
internal sealed class WriteQueue : IAsyncDisposable
{
    /// <summary>Writes committed together at most; bounds how long the first of them waits for the rest.</summary>
    private const int MaxBatch = 256;

    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Db _db;
    private readonly ILogger<WriteQueue> _logger;
    private readonly Task _writer;
    private WriterConnection? _connection;

    public WriteQueue(Db db, ILogger<WriteQueue> logger)
    {
        _db = db;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Runs <paramref name="write"/> inside the next group transaction; completes once that has committed.</summary>
    public Task<T> RunAsync<T>(Func<WriterConnection, T> write, CancellationToken ct)
    {
        var operation = new Write<T>(write, ct);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(WriteQueue), "The service is shutting down.");
        }
        return operation.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                // A caller that gave up before its turn (a closed long poll, say) must not have its write applied.
                if (!write.CancelIfRequested())
                {
                    batch.Add(write);
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
            {
                // The transaction as a whole failed (the file is locked by another process past the busy timeout,
                // the disk is full or gone): every write in it fails, and the next batch starts on a fresh connection.
                _logger.LogWarning(e, "A group of {Count} writes failed", batch.Count);
                foreach (var write in batch)
                {
                    write.Fail(e);
                }
                await ResetConnectionAsync();
            }
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<IWrite> batch)
    {
        _connection ??= new WriterConnection(await _db.OpenWriterAsync(CancellationToken.None));
        using (var tx = _connection.Begin())
        {
            foreach (var write in batch)
            {
                write.Execute(_connection);
            }
            tx.Commit();
        }
        foreach (var write in batch)
        {
            write.Complete();
        }
    }

    private async Task ResetConnectionAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private interface IWrite
    {
        bool CancelIfRequested();

        void Execute(WriterConnection writer);

        void Complete();

        void Fail(Exception error);
    }

    private sealed class Write<T>(Func<WriterConnection, T> write, CancellationToken ct) : IWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public bool CancelIfRequested() => ct.IsCancellationRequested && _done.TrySetCanceled(ct);

        public void Execute(WriterConnection writer)
        {
            writer.Statement("SAVEPOINT write").ExecuteNonQuery();
            try
            {
                _result = write(writer);
                writer.Statement("RELEASE write").ExecuteNonQuery();
            }
            catch (Exception e) when (e is not (SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_CORRUPT }))
            {
                // This write alone is undone; the others in the group go on. Faults of the file itself fail the group.
                writer.Statement("ROLLBACK TO write; RELEASE write").ExecuteNonQuery();
                _error = e;
            }
        }

        public void Complete()
        {
            if (_error is not null)
            {
                _done.TrySetException(_error);
            }
            else
            {
                _done.TrySetResult(_result!);
            }
        }

        public void Fail(Exception error) => _done.TrySetException(error);
    }
}
