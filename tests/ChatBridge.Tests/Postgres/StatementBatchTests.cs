using ChatBridge.Data;
using ChatBridge.Storage.Postgres;
using Npgsql;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// Statement writes (and, apart from them, statement reads) that arrive while a batch is on its way go to the server
/// together, and each caller still gets its own statement's answer: rows, a refusal of its own, or the connection's
/// failure (never a second send).
/// The first batch is held at the server by an advisory lock the test owns, so the others are sure to queue.
/// </summary>
public sealed class StatementBatchTests : IAsyncLifetime
{
    private const long FirstLock = 7;
    private const long SecondLock = 8;

    private const string Insert = "INSERT INTO written (text) VALUES (@text) RETURNING text";

    private TestDatabase _db = null!;
    private NpgsqlDataSource _source = null!;
    private PostgresDatabase _database = null!;
    private NpgsqlConnection _locks = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresServer.CreateDatabaseAsync();
        _locks = await _db.OpenAsync();
        await ExecuteAsync("CREATE TABLE written (id serial PRIMARY KEY, text text NOT NULL)");
        _source = _db.CreateDataSource();
        _database = new PostgresDatabase(_source);
    }

    public async Task DisposeAsync()
    {
        await _locks.DisposeAsync();
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    [PostgresFact]
    public async Task Statements_that_arrive_while_a_batch_is_on_its_way_go_together_and_each_gets_its_own_rows()
    {
        var first = await HeldAtTheServerAsync();
        var stored = Enumerable.Range(1, 5).Select(i => Store($"message {i}")).ToList();

        Assert.All(stored, write => Assert.False(write.IsCompleted));
        await ExecuteAsync($"SELECT pg_advisory_unlock({FirstLock})");

        Assert.Equal(1L, (await first).Value);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"message {i}"), (await Task.WhenAll(stored)).Select(w => w.Value));
        Assert.Equal(2, _database.WriteBatches.BatchesSent);
        Assert.Equal(6, _database.WriteBatches.StatementsSent);
        Assert.Equal(5L, await ScalarAsync("SELECT COUNT(*) FROM written"));
    }

    [PostgresFact]
    public async Task A_statement_the_server_refuses_fails_alone_and_the_rest_of_its_batch_is_stored_once()
    {
        var refused = await BetweenTwoStoredRowsAsync("SELECT 1 / @zero", P("@zero", 0));

        var error = await Assert.ThrowsAsync<PostgresException>(() => refused);
        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        // The three together (rolled back whole by the refusal), then each alone.
        Assert.Equal(5, _database.WriteBatches.BatchesSent);
    }

    [PostgresFact]
    public async Task Rows_a_caller_cannot_read_fail_that_caller_alone_and_the_batch_is_committed_once()
    {
        var unreadable = await BetweenTwoStoredRowsAsync("SELECT 'not a number'");

        await Assert.ThrowsAsync<FormatException>(() => unreadable);
        // The server committed the batch before its rows were read, so none of it runs again.
        Assert.Equal(2, _database.WriteBatches.BatchesSent);
    }

    [PostgresFact]
    public async Task A_batch_that_fails_after_the_server_ran_it_is_not_sent_again()
    {
        var first = await HeldAtTheServerAsync();
        var stored = Store("stored");
        var rowless = Write("INSERT INTO written (text) VALUES ('without RETURNING')");

        await ExecuteAsync($"SELECT pg_advisory_unlock({FirstLock})");

        await first;
        // The batch's answers cannot be told apart without the second statement's rows, but the server committed both.
        await Assert.ThrowsAsync<InvalidOperationException>(() => stored);
        await Assert.ThrowsAsync<InvalidOperationException>(() => rowless);
        Assert.Equal(2, _database.WriteBatches.BatchesSent);
        Assert.Equal("stored,without RETURNING", await ScalarAsync("SELECT string_agg(text, ',' ORDER BY id) FROM written"));
    }

    [PostgresFact]
    public async Task A_batch_whose_connection_fails_fails_every_statement_in_it_and_sends_none_again()
    {
        await ExecuteAsync($"SELECT pg_advisory_lock({SecondLock})");
        var first = await HeldAtTheServerAsync();
        var stored = Store("lost with its batch");
        var waiting = Write($"SELECT 1 FROM (SELECT pg_advisory_xact_lock({SecondLock})) AS held");
        await ExecuteAsync($"SELECT pg_advisory_unlock({FirstLock})");
        await first;
        var pid = await WaiterAsync(SecondLock);

        await ExecuteAsync($"SELECT pg_terminate_backend({pid})");

        // Whether the server committed before the connection went is unknown to the sender, so neither runs again.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => stored);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => waiting);
        Assert.Equal(2, _database.WriteBatches.BatchesSent);
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM written"));
    }

    [PostgresFact]
    public async Task When_a_batchs_connection_fails_the_statements_waiting_behind_it_get_its_error_unsent()
    {
        var first = await HeldAtTheServerAsync();
        var waiting = Enumerable.Range(1, 3).Select(i => Store($"waiting {i}")).ToList();
        var pid = await WaiterAsync(FirstLock);

        await ExecuteAsync($"SELECT pg_terminate_backend({pid})");

        // An outage answers every waiting caller after one connection's failure, not one batch's failure after another.
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => first);
        foreach (var write in waiting)
        {
            Assert.Same(error, await Assert.ThrowsAnyAsync<NpgsqlException>(() => write));
        }
        Assert.Equal(1, _database.WriteBatches.StatementsSent);
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM written"));
    }

    [PostgresFact]
    public async Task Reads_go_in_batches_of_their_own_and_never_wait_behind_a_write()
    {
        var write = await HeldAtTheServerAsync();
        await ExecuteAsync($"SELECT pg_advisory_lock({SecondLock})");
        var heldRead = _database.ReadStatementAsync(s => s.ScalarAsync<long>($"SELECT 1 FROM (SELECT pg_advisory_xact_lock({SecondLock})) AS held"), default);
        await WaiterAsync(SecondLock);
        var reads = Enumerable.Range(1, 3).Select(i => _database.ReadStatementAsync(s => s.ScalarAsync<long>("SELECT @i::bigint", P("@i", i)), default)).ToList();

        await ExecuteAsync($"SELECT pg_advisory_unlock({SecondLock})");

        Assert.Equal(1L, await heldRead);
        Assert.Equal(new long[] { 1, 2, 3 }, await Task.WhenAll(reads));
        Assert.False(write.IsCompleted);
        Assert.Equal(2, _database.ReadBatches.BatchesSent);
        Assert.Equal(4, _database.ReadBatches.StatementsSent);
        await ExecuteAsync($"SELECT pg_advisory_unlock({FirstLock})");
        await write;
    }

    [PostgresFact]
    public async Task A_statement_write_runs_exactly_one_statement_that_returns_rows()
    {
        var second = _database.WriteStatementAsync(async sql =>
        {
            await sql.ScalarAsync<string>(Insert, P("@text", "the one statement"));
            return await sql.ScalarAsync<string>(Insert, P("@text", "a second, which would commit apart"));
        }, default);
        var rowless = _database.WriteStatementAsync(sql => sql.ExecuteAsync("INSERT INTO written (text) VALUES ('no rows')"), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        await Assert.ThrowsAsync<NotSupportedException>(() => rowless);
        Assert.Equal("the one statement", await ScalarAsync("SELECT string_agg(text, ',') FROM written"));
    }

    private Task<Written<string?>> Store(string text) => _database.WriteStatementAsync(s => s.ScalarAsync<string>(Insert, P("@text", text)), default);

    private Task<Written<long>> Write(string sql, params SqlParam[] parameters) => _database.WriteStatementAsync(s => s.ScalarAsync<long>(sql, parameters), default);

    /// <summary>
    /// Sends <paramref name="sql"/> in one batch between two stored rows and requires both rows stored once, each
    /// caller with its own; returns the statement's write for the test to say how it ended.
    /// </summary>
    private async Task<Task<Written<long>>> BetweenTwoStoredRowsAsync(string sql, params SqlParam[] parameters)
    {
        var first = await HeldAtTheServerAsync();
        var before = Store("before");
        var between = Write(sql, parameters);
        var after = Store("after");

        await ExecuteAsync($"SELECT pg_advisory_unlock({FirstLock})");

        await first;
        Assert.Equal("before", (await before).Value);
        Assert.Equal("after", (await after).Value);
        Assert.Equal("after,before", await ScalarAsync("SELECT string_agg(text, ',' ORDER BY text) FROM written"));
        return between;
    }

    /// <summary>A statement write that the server holds until the test lets go of its advisory lock: the batch on its way.</summary>
    private async Task<Task<Written<long>>> HeldAtTheServerAsync()
    {
        await ExecuteAsync($"SELECT pg_advisory_lock({FirstLock})");
        var held = Write($"SELECT 1 FROM (SELECT pg_advisory_xact_lock({FirstLock})) AS held");
        await WaiterAsync(FirstLock);
        return held;
    }

    /// <summary>The server process waiting for the test's advisory lock <paramref name="key"/>, once one waits.</summary>
    private async Task<int> WaiterAsync(long key)
    {
        int? pid = null;
        await Eventually.UntilAsync(async () =>
        {
            pid = (int?)await ScalarAsync($"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = {key} AND NOT granted");
            return pid is not null;
        }, $"a statement waiting for advisory lock {key}");
        return pid!.Value;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _locks);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _locks);
        return await command.ExecuteScalarAsync();
    }
}
