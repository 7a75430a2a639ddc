using ChatBridge.Data;
using ChatBridge.Storage.Sqlite;
using ChatBridge.Tests.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Reliability;

public sealed class FaultedLoopTests
{
    [Fact]
    public async Task A_syncer_that_dies_fails_every_write_at_once_turns_health_503_and_logs_why()
    {
        var disk = new GatedWalSync();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var client = app.Anonymous();
        // The connection's first group is synced by SQLite's own commit; the syncer takes over from the second.
        await (await client.PostMessageAsync("session_faulted", "before")).DataAsync();
        disk.Failure = new InvalidOperationException("a bug nobody foresaw");

        var failed = await client.PostMessageAsync("session_faulted", "during").WaitAsync(TimeSpan.FromSeconds(10));
        var later = await client.PostMessageAsync("session_faulted", "after").WaitAsync(TimeSpan.FromSeconds(10));
        var direct = app.Services.GetRequiredService<WriteQueue>().RunAsync(_ => 0, CancellationToken.None, Durability.Committed);
        var health = await client.GetAsync("/health");

        await failed.AssertErrorAsync(503, "Storage unavailable: writes are stopped until the service restarts");
        await later.AssertErrorAsync(503, "Storage unavailable: writes are stopped until the service restarts");
        await Assert.ThrowsAsync<WriteQueueStoppedException>(() => direct.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(503, (int)health.StatusCode);
        var writes = (await health.JsonAsync()).GetProperty("checks").GetProperty("writes");
        Assert.Equal("Unhealthy", writes.GetProperty("status").GetString());
        Assert.Contains("syncer stopped: a bug nobody foresaw", writes.GetProperty("description").GetString(), StringComparison.Ordinal);
        var logs = await app.ReadLogsAsync("syncer stopped");
        var fatal = Assert.Single(logs.Split('\n'), line => line.Contains("[FTL]", StringComparison.Ordinal));
        Assert.Matches("The write queue's \"?syncer\"? stopped: \"?a bug nobody foresaw\"?. Every write fails until the service restarts", fatal);
    }

    [Fact]
    public async Task A_failed_sync_of_the_log_stops_writes_with_503_turns_health_503_with_the_reason_and_logs_it_as_critical()
    {
        var disk = new GatedWalSync();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var client = app.Anonymous();
        await (await client.PostMessageAsync("session_fsync", "before")).DataAsync();
        disk.Failure = new IOException("Input/output error");

        var failed = await client.PostMessageAsync("session_fsync", "during").WaitAsync(TimeSpan.FromSeconds(10));
        disk.Failure = null;
        var later = await client.PostMessageAsync("session_fsync", "after").WaitAsync(TimeSpan.FromSeconds(10));
        var health = await client.GetAsync("/health");
        var history = await (await client.GetAsync("/api/v1/?action=history&session_id=session_fsync")).DataAsync();

        await failed.AssertErrorAsync(503, "Storage unavailable: writes are stopped until the service restarts");
        await later.AssertErrorAsync(503, "Storage unavailable: writes are stopped until the service restarts");
        Assert.Equal(503, (int)health.StatusCode);
        var writes = (await health.JsonAsync()).GetProperty("checks").GetProperty("writes");
        Assert.Contains("syncing the write-ahead log failed", writes.GetProperty("description").GetString(), StringComparison.Ordinal);
        // Reads go on: what was stored before the failure is still served.
        Assert.Contains("before", history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
        var logs = await app.ReadLogsAsync("syncing the write-ahead log failed");
        Assert.Contains(logs.Split('\n'), line => line.Contains("[FTL]", StringComparison.Ordinal));
    }
}
