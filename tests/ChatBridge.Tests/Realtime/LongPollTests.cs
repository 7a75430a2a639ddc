using System.Collections.Concurrent;
using System.Diagnostics;
using ChatBridge.Realtime;
using ChatBridge.Storage.Sqlite;
using ChatBridge.Tests.Data;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Realtime;

public sealed class LongPollTests(BridgeApp app, ITestOutputHelper output) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Responses_wait_returns_as_soon_as_a_reply_is_posted()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        var clock = Stopwatch.StartNew();
        var polling = app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=10");
        await WaitForListenerAsync(session);

        var posted = clock.Elapsed;
        await app.Broca().PostReplyAsync(session, "Here you go");
        var data = await (await polling).DataAsync();
        var total = clock.Elapsed;

        var reply = Assert.Single(data.GetProperty("responses").EnumerateArray());
        Assert.Equal("Here you go", reply.GetProperty("response").GetString());
        Assert.True(total < TimeSpan.FromSeconds(5), $"the long poll took {total}");
        output.WriteLine($"long poll returned {(total - posted).TotalMilliseconds:0} ms after the outbox post was sent");
    }

    [Fact]
    public async Task Responses_wait_returns_empty_at_the_deadline()
    {
        var session = Sessions.New();
        var client = app.Anonymous(); // starts the host, so its start-up is not timed
        var clock = Stopwatch.StartNew();
        var data = await (await client.GetAsync($"/api/v1/?action=responses&session_id={session}&wait=1")).DataAsync();

        Assert.Empty(data.GetProperty("responses").EnumerateArray());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(0, app.Services.GetRequiredService<NotificationHub>().ListenerCount(session));
    }

    [Fact]
    public async Task Responses_wait_answers_at_once_when_there_is_something_and_clamps_large_waits()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await app.Broca().PostReplyAsync(session, "Already here");

        var clock = Stopwatch.StartNew();
        var data = await (await app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=999")).DataAsync();

        Assert.Single(data.GetProperty("responses").EnumerateArray());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("responses&session_id=session_x&wait=abc")]
    [InlineData("responses&session_id=session_x&wait=-1")]
    [InlineData("inbox&wait=1.5")]
    public async Task Wait_that_is_not_a_whole_number_of_seconds_is_a_400_naming_it(string query) =>
        await (await app.Broca().GetAsync($"/api/v1/?action={query}")).AssertErrorAsync(400, "Invalid wait parameter");

    [Fact]
    public async Task Abandoned_long_poll_frees_its_waiter()
    {
        var session = Sessions.New();
        using var hangUp = new CancellationTokenSource();
        var polling = app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=30", hangUp.Token);
        await WaitForListenerAsync(session);

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling);
        await WaitUntilAsync(() => app.Services.GetRequiredService<NotificationHub>().ListenerCount(session) == 0);
    }

    [Fact]
    public async Task Inbox_wait_wakes_on_a_new_message()
    {
        var broca = app.Broca();
        await broca.GetAsync("/api/v1/?action=inbox&limit=100");
        var clock = Stopwatch.StartNew();
        var polling = broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0&wait=10");
        await WaitForListenerAsync(null);

        var session = Sessions.New();
        var id = (await (await app.Anonymous().PostMessageAsync(session, "Wake up")).DataAsync()).GetProperty("message_id").GetInt64();
        var data = await (await polling).DataAsync();

        var message = Assert.Single(data.GetProperty("messages").EnumerateArray());
        Assert.Equal(id, message.GetProperty("id").GetInt64());
        Assert.Equal("Wake up", message.GetProperty("message").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the long poll took {clock.Elapsed}");
    }

    [SqliteFact]
    public async Task A_waiting_inbox_poll_gets_a_message_once_committed_while_its_sender_waits_for_the_disk()
    {
        var disk = new GatedWalSync();
        using var bridge = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var broca = bridge.Broca();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
        var polling = broca.GetAsync("/api/v1/?action=inbox&wait=10");
        await WaitUntilAsync(() => bridge.Services.GetRequiredService<NotificationHub>().ListenerCount(null) > 0);
        disk.Hold();

        var sending = bridge.Anonymous().PostMessageAsync(Sessions.New(), "Are you there?");
        var delivered = Assert.Single((await (await polling).DataAsync()).GetProperty("messages").EnumerateArray());

        Assert.True(await disk.SyncWaiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(sending.IsCompleted);
        disk.Release();
        var stored = await (await sending).DataAsync();
        Assert.Equal(stored.GetProperty("message_id").GetInt64(), delivered.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Inbox_hands_each_message_out_once_with_concurrent_waiting_pollers()
    {
        var broca = app.Broca();
        await broca.GetAsync("/api/v1/?action=inbox&limit=100");
        const int Messages = 40;
        const int Pollers = 4;
        var handedOut = new ConcurrentBag<long>();
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var pollers = Enumerable.Range(0, Pollers).Select(_ => Task.Run(async () =>
        {
            while (handedOut.Count < Messages && !done.IsCancellationRequested)
            {
                var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=3&wait=1")).DataAsync();
                foreach (var message in data.GetProperty("messages").EnumerateArray())
                {
                    handedOut.Add(message.GetProperty("id").GetInt64());
                }
            }
        })).ToList();
        await WaitUntilAsync(() => app.Services.GetRequiredService<NotificationHub>().ListenerCount(null) == Pollers);

        var posted = await Task.WhenAll(Enumerable.Range(0, Messages).Select(async i =>
            (await (await app.Anonymous().PostMessageAsync(Sessions.New(), $"message {i}")).DataAsync()).GetProperty("message_id").GetInt64()));
        await Task.WhenAll(pollers);

        Assert.Equal(posted.Order(), handedOut.Order());
    }

    private Task WaitForListenerAsync(string? sessionId) =>
        WaitUntilAsync(() => app.Services.GetRequiredService<NotificationHub>().ListenerCount(sessionId) > 0);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(10);
        }
    }
}
