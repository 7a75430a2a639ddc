using ChatBridge.Data;
using ChatBridge.Storage.Postgres;
using Npgsql;

namespace ChatBridge.Tests.Postgres;

/// <summary>A write the server rolls back as a deadlock's victim runs again, whole, and commits.</summary>
public sealed class DeadlockRetryTests
{
    // Locks one row, waits, then wants the other. Two of these in opposite orders wait for each other until the server's
    // deadlock check rolls one back: the one that has waited for deadlock_timeout (1 s) first, the one with the shorter pause.
    private const string CrossedUpdates = """
        WITH first AS (UPDATE crossed SET hits = hits + 1 WHERE id = @first RETURNING id),
        paused AS (SELECT pg_sleep(@pause) FROM first),
        second AS (UPDATE crossed SET hits = hits + 1 WHERE id = @second AND EXISTS (SELECT 1 FROM paused) RETURNING id)
        SELECT COUNT(*) FROM second
        """;

    /// <summary>
    /// Statement writes from one instance go one batch at a time, so the victim here is a statement write that crosses a
    /// transaction (as a reply crosses the lease sweep); two transactions cross as two instances' writes can.
    /// </summary>
    [PostgresTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_writes_locking_rows_in_opposite_orders_both_commit_once(bool victimInTransaction)
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        await using (var setup = await db.OpenAsync())
        {
            await using var create = new NpgsqlCommand("CREATE TABLE crossed (id int PRIMARY KEY, hits int NOT NULL); INSERT INTO crossed VALUES (1, 0), (2, 0)", setup);
            await create.ExecuteNonQueryAsync();
        }
        await using var source = db.CreateDataSource();
        var database = new PostgresDatabase(source);
        Task<Written<long>> Write(int first, int second, double pause, bool inTransaction)
        {
            Func<ISqlSession, Task<long>> write = sql => sql.ScalarAsync<long>(CrossedUpdates,
                SqlParam.P("@first", first), SqlParam.P("@second", second), SqlParam.P("@pause", pause));
            return inTransaction ? database.WriteAsync(write, Durability.Synced, default) : database.WriteStatementAsync(write, default);
        }

        var both = await Task.WhenAll(Write(1, 2, 0.3, victimInTransaction), Write(2, 1, 0.6, inTransaction: true));

        Assert.All(both, written => Assert.Equal(1L, written.Value));
        await using var check = await db.OpenAsync();
        await using var hits = new NpgsqlCommand("SELECT string_agg(hits::text, ',' ORDER BY id) FROM crossed", check);
        Assert.Equal("2,2", await hits.ExecuteScalarAsync());
    }
}
