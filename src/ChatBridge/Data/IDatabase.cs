namespace ChatBridge.Data;

/// <summary>
/// The seam between the stores and an engine. A store says what to read or write in SQL and how to judge the rows; the
/// engine supplies the connection, the transaction and how durable a commit is. SQLite and PostgreSQL thus share every
/// rule and differ only in SQL text and mechanics.
/// </summary>
internal interface IDatabase
{
    /// <summary>Runs <paramref name="read"/> on a connection of its own; each statement sees what was committed before it.</summary>
    Task<T> ReadAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct);

    /// <summary>
    /// A read of one statement that returns rows: where every query is a round trip (PostgreSQL), it goes with the reads
    /// waiting beside it, one round trip for them all; elsewhere as <see cref="ReadAsync{T}"/>.
    /// </summary>
    Task<T> ReadStatementAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="read"/> on a connection opened for it alone, never one kept from before: for a probe (the
    /// health check), so a database that can no longer be opened says so.
    /// </summary>
    Task<T> ProbeAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct);

    /// <summary>Runs <paramref name="read"/> in one snapshot: every statement sees the same committed rows.</summary>
    Task<T> ReadSnapshotAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction and completes once it is committed, before it is as durable as
    /// <paramref name="durability"/> asks: announce it then, and await <see cref="Written{T}.Durable"/> before telling a
    /// client it is stored. A write that throws is rolled back alone.
    /// </summary>
    Task<Written<T>> WriteAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct);

    /// <summary>
    /// A write of one statement that returns rows, atomic by itself: where commits are durable as they return
    /// (PostgreSQL), it runs without a transaction of its own, in one round trip with the statement writes waiting beside
    /// it; elsewhere as <see cref="WriteAsync{T}"/>.
    /// </summary>
    Task<Written<T>> WriteStatementAsync<T>(Func<ISqlSession, Task<T>> statement, CancellationToken ct);
}

internal static class DatabaseExtensions
{
    /// <summary>A write that completes once it is as durable as asked: for callers that announce nothing before.</summary>
    public static async Task<T> RunAsync<T>(this IDatabase database, Func<ISqlSession, Task<T>> write, CancellationToken ct, Durability durability = Durability.Synced)
    {
        var written = await database.WriteAsync(write, durability, ct);
        await written.Durable;
        return written.Value;
    }
}
