using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Actions;

public sealed class ResponsesTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Replies_come_back_oldest_first_with_every_field()
    {
        await app.Anonymous().PostMessageAsync("session_resp_order", "question");
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100");
        var first = await (await app.Broca().PostReplyAsync("session_resp_order", "one")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_resp_order", "two")).DataAsync();

        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_resp_order")).DataAsync();

        Assert.Equal("session_resp_order", data.GetProperty("session_id").GetString());
        var responses = data.GetProperty("responses").EnumerateArray().ToList();
        Assert.Equal(["one", "two"], responses.Select(r => r.GetProperty("response").GetString()));
        Assert.Equal(first.GetProperty("response_id").GetInt64(), responses[0].GetProperty("id").GetInt64());
        BridgeRequests.AssertTimestamp(responses[0].GetProperty("timestamp").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, responses[0].GetProperty("message_id").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, responses[1].GetProperty("message_id").ValueKind);
    }

    [Fact]
    public async Task An_unknown_session_is_created_and_has_no_replies()
    {
        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_resp_new")).DataAsync();

        Assert.Empty(data.GetProperty("responses").EnumerateArray());
        var session = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_resp_new")).DataAsync();
        Assert.Matches("^[0-9a-f]{16}$", session.GetProperty("session").GetProperty("uid").GetString());
    }

    [Fact]
    public async Task After_id_returns_only_newer_replies()
    {
        await app.Anonymous().PostMessageAsync("session_resp_after", "q");
        var first = await (await app.Broca().PostReplyAsync("session_resp_after", "a1")).DataAsync();
        await app.Broca().PostReplyAsync("session_resp_after", "a2");
        await app.Broca().PostReplyAsync("session_resp_after", "a3");

        var data = await (await app.Anonymous().GetAsync(
            $"/api/v1/?action=responses&session_id=session_resp_after&after_id={first.GetProperty("response_id").GetInt64()}")).DataAsync();

        Assert.Equal(["a2", "a3"], data.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task Since_is_strictly_after_and_accepts_several_forms()
    {
        await app.Anonymous().PostMessageAsync("session_resp_since", "q");
        var first = await (await app.Broca().PostReplyAsync("session_resp_since", "early")).DataAsync();
        app.Clock.Advance(TimeSpan.FromMilliseconds(20)); // stamped later however fast the two replies follow each other
        await app.Broca().PostReplyAsync("session_resp_since", "late");
        var stamp = DateTimeOffset.Parse(first.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        foreach (var since in new[]
                 {
                     first.GetProperty("timestamp").GetString()!,
                     stamp.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
                     stamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            var data = await (await app.Anonymous().GetAsync(
                $"/api/v1/?action=responses&session_id=session_resp_since&since={Uri.EscapeDataString(since)}")).DataAsync();
            Assert.Equal(["late"], data.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("response").GetString()));
        }

        var spaced = await (await app.Anonymous().GetAsync(
            "/api/v1/?action=responses&session_id=session_resp_since&since=2000-01-01%2000:00:00")).DataAsync();
        Assert.Equal(2, spaced.GetProperty("responses").GetArrayLength());
    }

    [Fact]
    public async Task Polling_keeps_a_session_active_writing_at_most_every_15_seconds()
    {
        // Time moves only when the test moves it, so a slow poll on a busy machine cannot stretch the 20 seconds.
        var time = TestClocks.Frozen();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<TimeProvider>(time) };
        var poll = $"/api/v1/?action=responses&session_id=session_resp_touch";
        await (await app.Anonymous().GetAsync(poll)).DataAsync();
        var created = LastActive(app);

        time.Advance(TimeSpan.FromSeconds(10));
        await (await app.Anonymous().GetAsync(poll)).DataAsync();
        Assert.Equal(created, LastActive(app));

        time.Advance(TimeSpan.FromSeconds(10));
        await (await app.Anonymous().GetAsync(poll)).DataAsync();
        var touched = LastActive(app);
        Assert.True(string.CompareOrdinal(touched, created) > 0, $"{touched} is not after {created}");
        Assert.InRange((DateTimeOffset.Parse(touched, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture)).TotalSeconds, 20, 20);
    }

    [Fact]
    public async Task A_session_deleted_by_clear_data_is_recreated_by_the_next_poll()
    {
        using var app = new BridgeApp();
        var poll = "/api/v1/?action=responses&session_id=session_resp_cleared";
        await (await app.Anonymous().GetAsync(poll)).DataAsync();
        await (await app.Admin().PostJsonAsync("clear_data", new { })).DataAsync();

        await (await app.Anonymous().GetAsync(poll)).DataAsync();

        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM web_chat_sessions WHERE session_id = 'session_resp_cleared'"));
    }

    private static string LastActive(BridgeApp app) =>
        (string)app.Scalar("SELECT last_active FROM web_chat_sessions WHERE session_id = 'session_resp_touch'")!;

    [Theory]
    [InlineData("", "Missing session_id")]
    [InlineData("&session_id=", "Missing session_id")]
    [InlineData("&session_id=bogus", "Invalid session ID")]
    [InlineData("&session_id=session_ok&after_id=x", "Invalid after_id parameter")]
    [InlineData("&session_id=session_ok&after_id=-1", "Invalid after_id parameter")]
    [InlineData("&session_id=session_ok&since=nope", "Invalid since parameter")]
    public async Task Bad_queries_are_400s(string query, string error)
    {
        var response = await app.Anonymous().GetAsync($"/api/v1/?action=responses{query}");
        await response.AssertErrorAsync(400, error);
    }
}
