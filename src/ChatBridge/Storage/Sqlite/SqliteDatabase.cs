using ChatBridge.Data;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// SQLite behind the stores' seam: reads on kept reader connections beside the writer (WAL), every write through the
/// single writer's group commit.
/// </summary>
internal sealed class SqliteDatabase(Db db, KeptReaders readers, WriteQueue writes) : IDatabase
{
    public async Task<T> ProbeAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var statements = new KeptStatements(connection);
        return await read(new SqliteSession(statements, transaction: null, ct));
    }

    public Task<T> ReadAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) =>
        readers.ReadAsync((reader, token) => read(reader.Session(token)), ct);

    public Task<T> ReadStatementAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => ReadAsync(read, ct);

    public Task<T> ReadSnapshotAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) =>
        readers.ReadAsync((reader, token) => reader.InSnapshotAsync(read, token), ct);

    public Task<Written<T>> WriteAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct) =>
        writes.WriteAsync(write, durability, ct);

    public Task<Written<T>> WriteStatementAsync<T>(Func<ISqlSession, Task<T>> statement, CancellationToken ct) =>
        writes.WriteAsync(statement, Durability.Synced, ct);
}
