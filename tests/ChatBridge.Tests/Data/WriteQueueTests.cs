using ChatBridge.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Data;

public sealed class WriteQueueTests
{
    [Fact]
    public async Task A_failing_write_is_undone_alone_and_the_rest_of_its_group_commits()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        using var release = new ManualResetEventSlim();
        // Hold the writer so the next writes gather into one group behind it.
        var blocker = writes.RunAsync(_ => release.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None);

        var group = Enumerable.Range(0, 40).Select(i => writes.RunAsync(writer =>
        {
            writer.Connection.Execute("INSERT INTO users (username) VALUES (@name)", new { name = $"user{i}" }, writer.Transaction);
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
        Assert.Equal(32, app.Count("users"));
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM users WHERE username IN ('user0', 'user5', 'user35')"));
    }

    [Fact]
    public async Task A_write_whose_caller_gave_up_before_its_turn_is_not_applied()
    {
        using var app = new BridgeApp();
        var writes = app.Services.GetRequiredService<WriteQueue>();
        using var release = new ManualResetEventSlim();
        var blocker = writes.RunAsync(_ => release.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None);
        using var giveUp = new CancellationTokenSource();

        var abandoned = writes.RunAsync(writer => writer.Connection.Execute("INSERT INTO users (username) VALUES ('ghost')", transaction: writer.Transaction), giveUp.Token);
        var kept = writes.RunAsync(writer => writer.Connection.Execute("INSERT INTO users (username) VALUES ('kept')", transaction: writer.Transaction), CancellationToken.None);
        await giveUp.CancelAsync();
        release.Set();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(1, await kept);
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM users WHERE username = 'ghost'"));
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM users WHERE username = 'kept'"));
    }
}
