using System.Text.Json;

namespace ChatBridge.Tests.Delivery;

/// <summary>Arranging and reading claims with a lease short enough for a test to watch it lapse.</summary>
internal static class Leases
{
    public static BridgeApp App(TimeSpan claimTimeout, int maxDeliveries = 3) => new()
    {
        Settings =
        {
            ["ChatBridge:Inbox:ClaimTimeout"] = claimTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["ChatBridge:Inbox:MaxDeliveries"] = maxDeliveries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

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

    /// <summary>The message's status in <c>history</c>, polled until it is <paramref name="status"/> (or a few seconds pass).</summary>
    public static async Task<JsonElement> WaitForHistoryStatusAsync(this BridgeApp app, string sessionId, long messageId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var history = await (await app.Anonymous().GetAsync($"/api/v1/?action=history&session_id={sessionId}")).DataAsync();
            var message = history.GetProperty("messages").EnumerateArray().Single(m => m.Id() == messageId);
            if (message.GetProperty("status").GetString() == status || DateTime.UtcNow > deadline)
            {
                Assert.Equal(status, message.GetProperty("status").GetString());
                return message;
            }
            await Task.Delay(20);
        }
    }
}
