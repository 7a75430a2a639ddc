using ChatBridge.Data;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Statements that arrive while others are on their way to the server go together: one batch, one round trip (and for
/// writes, such as the usual message, the usual reply and a rate-limit permit, one commit) for them all, as SQLite's
/// writer commits a group. A statement that finds nothing on its way goes at once, alone, so a quiet service waits for
/// nothing. A batch runs in one implicit transaction; when the server refuses one statement it rolls the whole batch
/// back, and each statement then runs again on its own, so every caller gets its own statement's answer. A batch is
/// never sent again once the server may have committed it: not after a failed connection, nor when a caller's rows
/// cannot be read (that caller alone gets the error).
/// <para>
/// One batch is on its way at a time: the statements that arrive meanwhile make the next one. On two cores shared with
/// the server, w2 posted 2 500-3 500 messages a second this way against 2 000-2 400 with four batches at once and
/// 1 100-2 100 with no batches (docs/BENCHMARKS.md). The price is SQLite's writer's: a statement that waits for a row
/// lock (a reply behind an admin's clean-up of its session) holds up the statements behind it for as long.
/// </para>
/// </summary>
internal sealed class StatementBatches(NpgsqlDataSource db)
{
    /// <summary>The most statements in one batch: the rest wait for the next, so no batch's locks are held for long.</summary>
    private const int MaxStatements = 64;

    private readonly Lock _lock = new();
    private readonly Queue<QueuedStatement> _waiting = new();
    private bool _sending;
    private long _batchesSent;
    private long _statementsSent;

    /// <summary>Batches sent and the statements in them, for tests to see the batching happen.</summary>
    public long BatchesSent => Interlocked.Read(ref _batchesSent);

    public long StatementsSent => Interlocked.Read(ref _statementsSent);

    /// <summary>Runs <paramref name="sql"/> with the next batch and returns its rows once that batch is committed.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, SqlParam[] parameters)
    {
        var statement = new QueuedQuery<T>(sql, parameters);
        bool send;
        lock (_lock)
        {
            _waiting.Enqueue(statement);
            send = !_sending;
            _sending = true;
        }
        if (send)
        {
            // This caller starts sending batches until none is waiting; callers that arrive meanwhile only wait for
            // theirs. The batches after this caller's are nothing of its request, so they do not run in its context.
            using (ExecutionContext.SuppressFlow())
            {
                _ = SendWhileWaitingAsync();
            }
        }
        return await statement.Rows;
    }

    private async Task SendWhileWaitingAsync()
    {
        while (TakeBatch() is { } batch)
        {
            await SendAsync(batch);
        }
    }

    private List<QueuedStatement>? TakeBatch()
    {
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                _sending = false;
                return null;
            }
            var batch = new List<QueuedStatement>(Math.Min(_waiting.Count, MaxStatements));
            while (batch.Count < MaxStatements && _waiting.TryDequeue(out var statement))
            {
                batch.Add(statement);
            }
            return batch;
        }
    }

    private List<QueuedStatement> TakeAllWaiting()
    {
        lock (_lock)
        {
            List<QueuedStatement> waiting = [.. _waiting];
            _waiting.Clear();
            return waiting;
        }
    }

    private async Task SendAsync(List<QueuedStatement> batch)
    {
        try
        {
            await SendOrSplitAsync(batch);
        }
        catch (Exception error) when (PostgresDataSource.IsUnavailable(error))
        {
            // The connection failed, so whether the batch committed is unknown: none of it is sent again. The statements
            // waiting behind it get the same answer now, rather than one batch's connection timeout after another.
            foreach (var statement in batch.Concat(TakeAllWaiting()))
            {
                statement.Fail(error);
            }
        }
        catch (Exception error)
        {
            // Not the server's refusal, so the batch may have committed: none of it is sent again.
            foreach (var statement in batch)
            {
                statement.Fail(error);
            }
        }
    }

    /// <summary>The batch, or when the server refuses it (so that nothing of it was committed) each statement alone.</summary>
    private async Task SendOrSplitAsync(List<QueuedStatement> batch)
    {
        if (batch.Count > 1)
        {
            try
            {
                await ExecuteAsync(batch);
                return;
            }
            catch (PostgresException error) when (!PostgresDataSource.IsUnavailable(error))
            {
                // Refused by the server, which rolled the whole batch back: each statement runs again on its own below.
            }
        }
        foreach (var statement in batch)
        {
            try
            {
                await PostgresDatabase.RetriedOnDeadlockAsync(async () =>
                {
                    await ExecuteAsync([statement]);
                    return statement;
                });
            }
            catch (Exception error) when (!PostgresDataSource.IsUnavailable(error))
            {
                statement.Fail(error);
            }
        }
    }

    /// <summary>Sends the statements in one batch and, once it is committed, gives each caller its rows.</summary>
    private async Task ExecuteAsync(List<QueuedStatement> statements)
    {
        await using (var connection = await db.OpenConnectionAsync())
        await using (var batch = new NpgsqlBatch(connection))
        {
            foreach (var statement in statements)
            {
                batch.BatchCommands.Add(statement.Command());
            }
            Interlocked.Increment(ref _batchesSent);
            Interlocked.Add(ref _statementsSent, statements.Count);
            await using var reader = await batch.ExecuteReaderAsync();
            for (var i = 0; i < statements.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync())
                {
                    throw new InvalidOperationException("Every statement in a batch returns rows (a SELECT or RETURNING).");
                }
                await statements[i].ReadAsync(reader);
            }
            // Reading on to the end takes in the commit's answer: until then a later statement or the commit may fail.
            await reader.CloseAsync();
        }
        foreach (var statement in statements)
        {
            statement.Complete();
        }
    }

    private abstract class QueuedStatement(string sql, SqlParam[] parameters)
    {
        public NpgsqlBatchCommand Command()
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(PostgresSession.Parameter(parameter));
            }
            return command;
        }

        public abstract Task ReadAsync(NpgsqlDataReader reader);

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class QueuedQuery<T>(string sql, SqlParam[] parameters) : QueuedStatement(sql, parameters)
    {
        // Callers go on in their own continuations, never on the thread sending the next batch.
        private readonly TaskCompletionSource<List<T>> _rows = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private List<T>? _read;
        private Exception? _unreadable;

        public Task<List<T>> Rows => _rows.Task;

        public override async Task ReadAsync(NpgsqlDataReader reader)
        {
            try
            {
                _read = await RowReader.ReadAllAsync<T>(reader, CancellationToken.None);
            }
            catch (Exception error) when (error is not NpgsqlException)
            {
                // Rows this caller cannot read (a value of another type) are its own error: the batch goes on and commits.
                _unreadable = error;
            }
        }

        public override void Complete()
        {
            if (_unreadable is not null)
            {
                _rows.TrySetException(_unreadable);
                return;
            }
            _rows.TrySetResult(_read!);
        }

        public override void Fail(Exception error) => _rows.TrySetException(error);
    }
}
