using System.Data;
using ChatBridge.Data;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// PostgreSQL behind the stores' seam, shared by every instance: each read or write on a pooled connection, every
/// write in a transaction of its own (statement reads and writes in batches: <see cref="StatementBatches"/>), durable as
/// it commits unless it asked for less.
/// </summary>
internal sealed class PostgresDatabase(NpgsqlDataSource db) : IDatabase
{
    /// <summary>
    /// Claims, releases and lapses need not wait for the disk, as on SQLite: one lost to a crash only means a message is
    /// handed out again. Everything a client is told is stored keeps the server's <c>synchronous_commit</c>.
    /// </summary>
    private const string RelaxDurability = "SET LOCAL synchronous_commit = off";

    private readonly StatementBatches _reads = new(db);
    private readonly StatementBatches _writes = new(db);

    /// <summary>The batches statement reads and writes went in, for tests to see them share round trips.</summary>
    internal StatementBatches ReadBatches => _reads;

    internal StatementBatches WriteBatches => _writes;

    public async Task<T> ReadAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await read(new PostgresSession(connection, transaction: null, ct));
    }

    /// <summary>Goes with the reads waiting beside it; reads wait for reads only, never behind a write's commit.</summary>
    public Task<T> ReadStatementAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => read(new BatchedStatementSession(_reads));

    /// <summary>Every read opens its connection from the pool, whose connections the server checks as it hands them out.</summary>
    public Task<T> ProbeAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => ReadAsync(read, ct);

    /// <summary>Repeatable read, as SQLite's read transaction: every statement sees the same committed rows.</summary>
    public async Task<T> ReadSnapshotAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var result = await read(new PostgresSession(connection, snapshot, ct));
        await snapshot.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// A write the server picked as a deadlock's victim (the lease sweep and a claim locking the same rows in another
    /// order) was rolled back whole, so running it again is safe; it is tried this often before its error stands.
    /// </summary>
    private const int DeadlockAttempts = 3;

    public Task<Written<T>> WriteAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct) =>
        RetriedOnDeadlockAsync(() => WriteOnceAsync(write, durability, ct));

    public static async Task<T> RetriedOnDeadlockAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < DeadlockAttempts)
            {
                // The other transaction went on; this one starts again from nothing.
            }
        }
    }

    private async Task<Written<T>> WriteOnceAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var session = new PostgresSession(connection, tx, ct);
        if (durability == Durability.Committed)
        {
            await session.ExecuteAsync(RelaxDurability);
        }
        var result = await write(session);
        await tx.CommitAsync(ct);
        return Written<T>.Durably(result);
    }

    /// <summary>
    /// Goes with the statements waiting beside it, one round trip and one commit for them all; a statement on its way
    /// is not called back when its caller gives up, as a sent statement could not be.
    /// </summary>
    public async Task<Written<T>> WriteStatementAsync<T>(Func<ISqlSession, Task<T>> statement, CancellationToken ct) =>
        Written<T>.Durably(await statement(new BatchedStatementSession(_writes)));
}
