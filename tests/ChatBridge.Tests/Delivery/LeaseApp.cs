using System.Text.Json;
using ChatBridge.Inbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests.Delivery;

/// <summary>Arranging and reading claims on a host whose clock the test moves, so a lease lapses when the test says.</summary>
internal static class Leases
{
    private static int _worked;

    /// <summary>Shorter than a long poll's longest wait, so one waiting poll can see a claim lapse and come back.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    /// <summary>How far apart the sweeper looks for lapsed leases with <see cref="Lease"/>: a tenth of it.</summary>
    private static readonly TimeSpan SweepInterval = Lease / 10;

    /// <summary>A host on a clock the test moves, with a <see cref="Lease"/>-long lease and every other inbox setting at its shipped default.</summary>
    public static FrozenBridgeApp App() => new()
    {
        Settings = { ["ChatBridge:Inbox:ClaimTimeout"] = Lease.ToString("c", System.Globalization.CultureInfo.InvariantCulture) },
    };

    /// <summary>
    /// A host on a clock that moves only when the test moves it, with every inbox setting at its shipped default, so that a
    /// five-minute lease lapses without waiting. Lapses are swept by <see cref="SweepAsync"/> alone: the sweeper's timer
    /// would fire on the same move of the clock, and a test that read the outcome (a metric counted after the sweep's
    /// commit) could read it before that sweep got there.
    /// </summary>
    public static BridgeApp Frozen(FakeTimeProvider time, IDictionary<string, string?>? settings = null) => new()
    {
        Settings = settings ?? new Dictionary<string, string?>(),
        TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.Remove(services.Single(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(LeaseSweeper)));
        },
    };

    /// <summary>Moves the clock past the lease, then on a sweep at a time, until <paramref name="condition"/> holds.</summary>
    public static async Task LapseUntilAsync(this FrozenBridgeApp app, Func<Task<bool>> condition, string what)
    {
        app.Time.Advance(Lease);
        await app.Time.AdvanceUntilAsync(SweepInterval, condition, what);
    }

    public static Task LapseUntilAsync(this FrozenBridgeApp app, Func<bool> condition, string what) =>
        app.LapseUntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Runs the sweep the sweeper runs on every tick, now: what it would return to the inbox at this time, it has.</summary>
    public static Task SweepAsync(this BridgeApp app) =>
        app.Services.GetRequiredService<InboxDelivery>().ExpireLeasesAsync(CancellationToken.None);

    /// <summary>
    /// One strike on a frozen host (<see cref="Frozen"/>): Broca claims the message (the oldest waiting) together with a
    /// newer one, answers only the newer one and keeps working, and the lease lapses.
    /// </summary>
    public static async Task StrikeAsync(this BridgeApp app, FakeTimeProvider time, long id)
    {
        var broca = app.Broca();
        var sibling = $"session_worked_{Interlocked.Increment(ref _worked)}";
        await (await app.Anonymous().PostMessageAsync(sibling, "answered at once")).DataAsync();
        var batch = await broca.ClaimAsync();
        Assert.Equal(id, batch[0].Id());
        await broca.AnswerAsync(batch.Single(m => m.GetProperty("session_id").GetString() == sibling));
        time.Advance(new Configuration.InboxOptions().ClaimTimeout);
        await app.SweepAsync();
    }

    /// <summary>A new message that took the default three strikes: stuck, and waiting out its first back-off.</summary>
    public static async Task<long> PostStuckAsync(this BridgeApp app, FakeTimeProvider time, string session)
    {
        var id = (await (await app.Anonymous().PostMessageAsync(session, "nobody can answer this")).DataAsync()).GetProperty("message_id").GetInt64();
        for (var strike = 0; strike < new Configuration.InboxOptions().MaxDeliveries; strike++)
        {
            await app.StrikeAsync(time, id);
        }
        return id;
    }

    /// <summary>Broca's reply to one message, naming it.</summary>
    public static async Task AnswerAsync(this HttpClient broca, JsonElement message) =>
        await (await broca.PostJsonAsync("outbox", new { session_id = message.GetProperty("session_id").GetString(), response = "an answer", message_id = message.Id() })).DataAsync();

    /// <summary>One inbox call as Broca makes it; <paramref name="wait"/> long-polls until a message (re)appears.</summary>
    public static async Task<List<JsonElement>> ClaimAsync(this HttpClient broca, int limit = 50, int wait = 0)
    {
        var data = await (await broca.GetAsync($"/api/v1/?action=inbox&limit={limit}&offset=0&wait={wait}")).DataAsync();
        return [.. data.GetProperty("messages").EnumerateArray()];
    }

    public static long Id(this JsonElement message) => message.GetProperty("id").GetInt64();

    /// <summary>A message's row in <c>session_messages</c>, as the admin sees it.</summary>
    public static async Task<JsonElement> AdminViewAsync(this BridgeApp app, string sessionId, long messageId)
    {
        var transcript = await (await app.Admin().GetAsync($"/api/v1/?action=session_messages&session_id={sessionId}")).DataAsync();
        return transcript.GetProperty("messages").EnumerateArray().Single(m => m.Id() == messageId);
    }

    /// <summary>The message's status in <c>history</c>, as the chat page sees it.</summary>
    public static async Task<string?> HistoryStatusAsync(this BridgeApp app, string sessionId, long messageId)
    {
        var history = await (await app.Anonymous().GetAsync($"/api/v1/?action=history&session_id={sessionId}")).DataAsync();
        return history.GetProperty("messages").EnumerateArray().Single(m => m.Id() == messageId).GetProperty("status").GetString();
    }
}
