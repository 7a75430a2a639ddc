using System.Diagnostics.Metrics;
using ChatBridge.Data;
using ChatBridge.Observability;
using ChatBridge.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBridge.Tests.Data;

public sealed class WriteQueueTests
{
    [Fact]
    public async Task A_failing_write_is_undone_alone_and_the_rest_of_its_group_commits()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        using var release = new ManualResetEventSlim();
        // Hold the writer so the next writes gather into one group behind it.
        var blocker = writes.RunAsync(_ => release.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None);

        var group = Enumerable.Range(0, 40).Select(i => writes.RunAsync(writer =>
        {
            writer.Connection.Execute("INSERT INTO writer_probe (name) VALUES (@name)", new { name = $"user{i}" }, writer.Transaction);
            if (i % 5 == 0)
            {
                // Fails after its own insert: the savepoint must take that insert back too.
                writer.Connection.Execute("INSERT INTO no_such_table VALUES (1)", transaction: writer.Transaction);
            }
            return i;
        }, CancellationToken.None)).ToList();
        release.Set();
        await blocker;
        var outcomes = await Task.WhenAll(group.Select(async t =>
        {
            try
            {
                return (Ok: true, Value: await t);
            }
            catch (SqliteException)
            {
                return (Ok: false, Value: -1);
            }
        }));

        Assert.Equal(32, outcomes.Count(o => o.Ok));
        Assert.Equal(32, app.Count("writer_probe"));
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM writer_probe WHERE name IN ('user0', 'user5', 'user35')"));
    }

    [Fact]
    public async Task The_host_stops_the_queue_after_its_services_committing_every_write_queued_and_refusing_later_ones()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        Assert.Contains(writes, app.Services.GetServices<IHostedService>());
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        using var held = HeldWriter.Hold(writes);
        var queued = Enumerable.Range(0, 20).Select(i => writes.RunAsync(writer =>
            writer.Connection.Execute("INSERT INTO writer_probe (name) VALUES (@name)", new { name = $"user{i}" }, writer.Transaction),
            CancellationToken.None)).ToList();

        var stopping = app.Services.GetRequiredService<IHost>().StopAsync();
        await held.ReleaseAsync();
        await stopping;

        Assert.All(await Task.WhenAll(queued), inserted => Assert.Equal(1, inserted));
        Assert.Equal(20, app.Count("writer_probe"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writes.RunAsync(_ => 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_whose_caller_gave_up_before_its_turn_is_not_applied()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        using var held = HeldWriter.Hold(writes);
        using var giveUp = new CancellationTokenSource();

        var abandoned = writes.RunAsync(writer => writer.Connection.Execute("INSERT INTO writer_probe (name) VALUES ('ghost')", transaction: writer.Transaction), giveUp.Token);
        var kept = writes.RunAsync(writer => writer.Connection.Execute("INSERT INTO writer_probe (name) VALUES ('kept')", transaction: writer.Transaction), CancellationToken.None);
        await giveUp.CancelAsync();
        await held.ReleaseAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(1, await kept);
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM writer_probe WHERE name = 'ghost'"));
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM writer_probe WHERE name = 'kept'"));
    }

    [Fact]
    public async Task A_synced_write_is_acknowledged_after_the_log_reaches_the_disk_and_a_committed_one_without_waiting()
    {
        var disk = new GatedWalSync();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        // A connection's first group is synced by SQLite's own commit; the log is synced apart from the next one on.
        await writes.RunAsync(_ => 0, CancellationToken.None);
        disk.Hold();

        var synced = writes.RunAsync(Insert("synced"), CancellationToken.None);
        var committed = writes.RunAsync(Insert("committed"), CancellationToken.None, Durability.Committed);

        Assert.Equal(1, await committed);
        Assert.True(await disk.SyncWaiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(synced.IsCompleted);
        // Committed already, so other connections see it; only the acknowledgement waits for the disk.
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM writer_probe WHERE name = 'synced'"));
        disk.Release();
        Assert.Equal(1, await synced);
    }

    [Fact]
    public async Task When_syncing_the_log_fails_the_writes_waiting_for_it_fail_and_every_later_one_until_a_restart()
    {
        var disk = new GatedWalSync();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        await writes.RunAsync(_ => 0, CancellationToken.None);
        disk.Failure = new IOException("The disk is gone");

        await Assert.ThrowsAsync<WriteQueueStoppedException>(() => writes.RunAsync(Insert("unsynced"), CancellationToken.None));
        // A disk that failed a sync may report the next one as a success without having written the pages.
        disk.Failure = null;
        await Assert.ThrowsAsync<WriteQueueStoppedException>(() => writes.RunAsync(Insert("after"), CancellationToken.None));
        await Assert.ThrowsAsync<WriteQueueStoppedException>(() => writes.RunAsync(Insert("not waiting"), CancellationToken.None, Durability.Committed));
        Assert.Contains("syncing the write-ahead log failed", writes.Fault!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_that_failed_has_its_connection_closed_and_the_next_group_runs_on_a_new_one()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        SQLitePCL.sqlite3? failedOn = null;

        await Assert.ThrowsAsync<WriteGroupFailedException>(() => writes.RunAsync<int>(writer =>
        {
            failedOn = writer.Connection.Handle;
            // A fault of the file fails the whole group, as a broken connection does.
            throw new SqliteException("disk I/O error", SQLitePCL.raw.SQLITE_IOERR);
        }, CancellationToken.None));
        var next = await writes.RunAsync(writer => writer.Connection.Handle, CancellationToken.None);

        // Given back to a pool instead, the handle would come back to the writer with whatever the failure left in it.
        Assert.NotNull(failedOn);
        Assert.True(failedOn.IsClosed);
        Assert.NotSame(failedOn, next);
        Assert.Equal(1, await writes.RunAsync(Insert("after the failure"), CancellationToken.None));
    }

    [Fact]
    public async Task A_message_whose_group_failed_is_answered_503_to_retry()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        app.Execute("CREATE TABLE writer_probe (name TEXT)");
        using var held = HeldWriter.Hold(writes);

        var posted = app.Anonymous().PostMessageAsync("session_group_failed", "hello");
        await WaitForQueuedAsync(app, 1);
        // Behind the message in the same group, a write the file fails: the group, message and all, is undone.
        var failing = writes.RunAsync<int>(_ => throw new ObjectDisposedException("SQLitePCL.sqlite3"), CancellationToken.None);
        var broken = writes.RunAsync<int>(_ => throw new SqliteException("disk I/O error", SQLitePCL.raw.SQLITE_IOERR), CancellationToken.None);
        await held.ReleaseAsync();

        var answer = await posted;
        await answer.AssertErrorAsync(503, "Service busy, retry shortly");
        Assert.Equal("1", answer.Headers.RetryAfter?.ToString());
        await Assert.ThrowsAsync<WriteGroupFailedException>(() => failing);
        await Assert.ThrowsAsync<WriteGroupFailedException>(() => broken);
        Assert.Equal(0, app.Count("web_chat_messages"));
        await (await app.Anonymous().PostMessageAsync("session_group_failed", "hello again")).DataAsync();
    }

    /// <summary>Waits until this many writes wait in the queue, as its depth gauge reports them.</summary>
    private static async Task WaitForQueuedAsync(BridgeApp app, long count)
    {
        var meter = app.Services.GetRequiredService<BridgeMetrics>().Meter;
        long depth = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "chatbridge.write_queue.depth")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref depth, value));
        listener.Start();
        await Eventually.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Interlocked.Read(ref depth) >= count;
        }, "the queue that deep");
        Assert.Equal(count, Interlocked.Read(ref depth));
    }

    private static Func<SqliteSession, int> Insert(string name) => writer =>
        writer.Connection.Execute("INSERT INTO writer_probe (name) VALUES (@name)", new { name }, writer.Transaction);

    [Fact]
    public async Task With_the_queue_full_a_write_is_refused_at_once_as_busy_and_the_queued_ones_still_commit()
    {
        // The clock stands still: the queue's 10 000 writes must not meet the wait deadline on a slow machine.
        using var app = new FrozenBridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        // The writer holds this group while the queue fills behind it.
        using var held = HeldWriter.Hold(writes);
        var queued = Enumerable.Range(0, WriteQueue.MaxQueued).Select(i => writes.RunAsync(_ => i, CancellationToken.None, Durability.Committed)).ToList();

        var refused = writes.RunAsync(_ => -1, CancellationToken.None, Durability.Committed);

        await Assert.ThrowsAsync<WriteQueueBusyException>(() => refused.WaitAsync(TimeSpan.FromSeconds(10)));
        await held.ReleaseAsync();
        Assert.Equal(Enumerable.Range(0, WriteQueue.MaxQueued), await Task.WhenAll(queued));
    }

    [Fact]
    public async Task A_post_whose_write_waited_past_the_deadline_is_a_503_to_retry_and_stores_nothing()
    {
        // The clock moves only with the test: "waited past the deadline" is the test's move, not the machine's speed.
        using var app = new FrozenBridgeApp();
        var time = app.Time;
        await (await app.Anonymous().PostMessageAsync("session_deadline", "before")).DataAsync();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        using var held = HeldWriter.Hold(writes);

        var post = app.Anonymous().PostMessageAsync("session_deadline", "kept waiting");
        await WaitForQueuedAsync(app, 1);
        time.Advance(WriteQueue.MaxWait + TimeSpan.FromSeconds(1));
        await held.ReleaseAsync();

        await (await post).AssertErrorAsync(503, "Service busy, retry shortly");
        Assert.Equal(1L, app.Count("web_chat_messages"));
    }
}

/// <summary>The writer kept busy with a group of its own until released: the writes queued meanwhile wait for a later group.</summary>
internal sealed class HeldWriter : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly Task _blocker;

    private HeldWriter(WriteQueue writes)
    {
        using var running = new ManualResetEventSlim();
        _blocker = writes.RunAsync(_ =>
        {
            running.Set();
            return _release.Wait(TimeSpan.FromSeconds(60));
        }, CancellationToken.None);
        // Only once the writer runs this group are the next writes sure to wait for a later one.
        Assert.True(running.Wait(TimeSpan.FromSeconds(30)), "the writer took the holding group");
    }

    public static HeldWriter Hold(WriteQueue writes) => new(writes);

    public async Task ReleaseAsync()
    {
        _release.Set();
        await _blocker;
    }

    public void Dispose()
    {
        _release.Set();
        // The holding group must be done with the event before it goes; WhenAny never throws, whatever the group did.
        Task.WhenAny(_blocker).Wait(TimeSpan.FromSeconds(60));
        _release.Dispose();
    }
}
