using System.Collections.Concurrent;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using ChatBridge.Storage.Sqlite;
using ChatBridge.Tests.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Realtime;

/// <summary>
/// The <c>wait</c> parameter. The host's clock stands still unless a test moves it, so a wait can only end early
/// because something was pushed to it, and ends at its deadline only when the test moves the clock there.
/// </summary>
public sealed class LongPollTests(FrozenBridgeApp app) : IClassFixture<FrozenBridgeApp>
{
    [Fact]
    public async Task Responses_wait_returns_as_soon_as_a_reply_is_posted()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        var polling = app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=10");
        await WaitForListenerAsync(session);

        await app.Broca().PostReplyAsync(session, "Here you go");
        var data = await (await polling).DataAsync();

        var reply = Assert.Single(data.GetProperty("responses").EnumerateArray());
        Assert.Equal("Here you go", reply.GetProperty("response").GetString());
    }

    [Fact]
    public async Task Responses_wait_returns_empty_at_the_deadline()
    {
        using var own = new FrozenBridgeApp();
        var session = Sessions.New();
        var polling = own.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=1");
        await WaitForDeadlineAsync(own);

        own.Time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));
        Assert.False(polling.IsCompleted);
        own.Time.Advance(TimeSpan.FromMilliseconds(1));
        var data = await (await polling).DataAsync();

        Assert.Empty(data.GetProperty("responses").EnumerateArray());
        Assert.Equal(0, own.Listeners(session));
    }

    [Fact]
    public async Task Responses_wait_answers_at_once_when_there_is_something_and_clamps_large_waits()
    {
        using var own = new FrozenBridgeApp();
        var session = Sessions.New();
        await own.Anonymous().PostMessageAsync(session, "Hello");
        await own.Broca().PostReplyAsync(session, "Already here");

        var data = await (await own.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=999")).DataAsync();
        Assert.Single(data.GetProperty("responses").EnumerateArray());

        var polling = own.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={Sessions.New()}&wait=999");
        await WaitForDeadlineAsync(own);
        own.Time.Advance(TimeSpan.FromSeconds(LongPoller.MaxWaitSeconds));
        Assert.Empty((await (await polling).DataAsync()).GetProperty("responses").EnumerateArray());
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
        await Eventually.UntilAsync(() => app.Listeners(session) == 0, "the abandoned poll's waiter freed");
    }

    [Fact]
    public async Task Inbox_wait_wakes_on_a_new_message()
    {
        var broca = app.Broca();
        await broca.GetAsync("/api/v1/?action=inbox&limit=100");
        var polling = broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0&wait=10");
        await WaitForListenerAsync(null);

        var session = Sessions.New();
        var id = (await (await app.Anonymous().PostMessageAsync(session, "Wake up")).DataAsync()).GetProperty("message_id").GetInt64();
        var data = await (await polling).DataAsync();

        var message = Assert.Single(data.GetProperty("messages").EnumerateArray());
        Assert.Equal(id, message.GetProperty("id").GetInt64());
        Assert.Equal("Wake up", message.GetProperty("message").GetString());
    }

    [SqliteFact]
    public async Task A_waiting_inbox_poll_gets_a_message_once_committed_while_its_sender_waits_for_the_disk()
    {
        var disk = new GatedWalSync();
        using var bridge = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var broca = bridge.Broca();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
        var polling = broca.GetAsync("/api/v1/?action=inbox&wait=10");
        await Eventually.UntilAsync(() => bridge.Listeners(null) > 0, "the inbox poll waiting");
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
        await Eventually.UntilAsync(() => app.Listeners(null) == Pollers, "every poller waiting");

        var posted = await Task.WhenAll(Enumerable.Range(0, Messages).Select(async i =>
            (await (await app.Anonymous().PostMessageAsync(Sessions.New(), $"message {i}")).DataAsync()).GetProperty("message_id").GetInt64()));
        // The pollers still waiting once all is handed out end at their one-second deadline.
        await app.Time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => pollers.TrueForAll(p => p.IsCompleted), "every poller done");
        await Task.WhenAll(pollers);

        Assert.Equal(posted.Order(), handedOut.Order());
    }

    private Task WaitForListenerAsync(string? sessionId) =>
        Eventually.UntilAsync(() => app.Listeners(sessionId) > 0, "the poll waiting");

    /// <summary>Until the host's one long poll has its deadline set, so moving the clock counts towards it.</summary>
    private static Task WaitForDeadlineAsync(BridgeApp host) =>
        Eventually.UntilAsync(() => host.Services.GetRequiredService<BridgeMetrics>().LongPollsWaiting == 1, "the poll's deadline set");
}
