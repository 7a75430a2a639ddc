using System.Text.Json;
using ChatBridge.Inbox;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Delivery;

/// <summary>Arranging and reading claims on a host whose clock the test moves, so a lease lapses when the test says.</summary>
internal static class Leases
{
    /// <summary>Shorter than a long poll's longest wait, so one waiting poll can see a claim lapse and come back.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    /// <summary>How far apart the sweeper looks for lapsed leases with <see cref="Lease"/>: a tenth of it.</summary>
    private static readonly TimeSpan SweepInterval = Lease / 10;

    public static FrozenBridgeApp App(int maxDeliveries = 3) => new()
    {
        Settings =
        {
            ["ChatBridge:Inbox:ClaimTimeout"] = Lease.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["ChatBridge:Inbox:MaxDeliveries"] = maxDeliveries.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
