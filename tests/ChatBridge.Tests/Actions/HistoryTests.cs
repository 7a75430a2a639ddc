using System.Text.Json;

namespace ChatBridge.Tests.Actions;

public sealed class HistoryTests
{
    [Fact]
    public async Task Messages_move_from_pending_to_delivered_to_answered()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_hist_states", "first");
        await app.Anonymous().PostMessageAsync("session_hist_states", "second");
        Assert.Equal(["pending", "pending"], await StatusesAsync(app));

        await app.Broca().GetAsync("/api/v1/?action=inbox");
        Assert.Equal(["delivered", "delivered"], await StatusesAsync(app));

        // Broca answers in the order it claimed: the first reply answers the first message.
        await app.Broca().PostReplyAsync("session_hist_states", "reply to first");
        Assert.Equal(["answered", "delivered"], await StatusesAsync(app));

        await app.Broca().PostReplyAsync("session_hist_states", "reply to second");
        Assert.Equal(["answered", "answered"], await StatusesAsync(app));
    }

    [Fact]
    public async Task Shows_messages_and_responses_oldest_first_and_after_id_keeps_newer_ones()
    {
        using var app = new BridgeApp();
        var first = await (await app.Anonymous().PostMessageAsync("session_hist_after", "m1")).DataAsync();
        await app.Anonymous().PostMessageAsync("session_hist_after", "m2");
        await app.Broca().PostReplyAsync("session_hist_after", "r1");

        var all = await HistoryAsync(app, "session_hist_after");
        Assert.Equal(["m1", "m2"], all.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
        Assert.Equal(["r1"], all.GetProperty("responses").EnumerateArray().Select(m => m.GetProperty("response").GetString()));

        var after = await HistoryAsync(app, "session_hist_after", $"&after_id={first.GetProperty("message_id").GetInt64()}");
        Assert.Equal(["m2"], after.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task An_unknown_session_has_an_empty_history_and_is_not_created()
    {
        using var app = new BridgeApp();
        var data = await HistoryAsync(app, "session_hist_none");

        Assert.Empty(data.GetProperty("messages").EnumerateArray());
        Assert.Empty(data.GetProperty("responses").EnumerateArray());
        Assert.Equal(0, app.Count("web_chat_sessions"));
    }

    [Fact]
    public async Task Only_the_sessions_own_conversation_is_shown()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_hist_mine", "mine");
        await app.Anonymous().PostMessageAsync("session_hist_other", "not mine");

        var data = await HistoryAsync(app, "session_hist_mine");

        Assert.Equal(["mine"], data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
    }

    private static async Task<JsonElement> HistoryAsync(BridgeApp app, string sessionId, string extra = "") =>
        await (await app.Anonymous().GetAsync($"/api/v1/?action=history&session_id={sessionId}{extra}")).DataAsync();

    private static async Task<List<string?>> StatusesAsync(BridgeApp app) =>
        (await HistoryAsync(app, "session_hist_states")).GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("status").GetString()).ToList();
}
