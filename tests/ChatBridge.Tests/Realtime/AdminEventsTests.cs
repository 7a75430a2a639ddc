using ChatBridge.Realtime;
using System.Text.Json;
using ChatBridge.Tests.Conversations;
using ChatBridge.Tests.Delivery;

namespace ChatBridge.Tests.Realtime;

/// <summary><c>admin_events</c>: the admin console's long poll over every session's changes.</summary>
/// <remarks>The host's clock stands still, so a waiting poll that answers was woken, not timed out.</remarks>
public sealed class AdminEventsTests(FrozenBridgeApp app) : IClassFixture<FrozenBridgeApp>
{
    [Fact]
    public async Task Without_a_cursor_it_answers_at_once_with_no_events_and_where_now_is()
    {
        var data = await (await app.Admin().GetAsync("/api/v1/?action=admin_events&wait=10")).DataAsync();

        Assert.Empty(data.GetProperty("events").EnumerateArray());
        Assert.Matches("^[0-9a-f]+-[0-9]+$", data.GetProperty("cursor").GetString());
        Assert.False(data.GetProperty("reset").GetBoolean());
    }

    [Fact]
    public async Task A_waiting_poll_returns_as_soon_as_a_user_writes()
    {
        var cursor = await CursorAsync();
        var session = Sessions.New();

        var poll = app.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor}&wait=20");
        await Eventually.UntilAsync(() => app.Listeners(NotificationHub.AdminTopic) > 0, "the admin poll waiting");
        Assert.False(poll.IsCompleted);
        var stored = await (await app.Anonymous().PostMessageAsync(session, "Hello?")).DataAsync();
        var data = await (await poll).DataAsync();

        var evt = Assert.Single(Events(data, session));
        Assert.Equal("message", evt.GetProperty("type").GetString());
        Assert.Equal(stored.GetProperty("message_id").GetInt64(), evt.GetProperty("message_id").GetInt64());
        Assert.NotEqual(cursor, data.GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task Deliveries_and_replies_of_agents_and_people_are_events_in_order_and_the_cursor_never_repeats_one()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Question");
        var cursor = await CursorAsync();

        await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
        var agentReply = await (await app.Broca().PostReplyAsync(session, "From the agent")).DataAsync();
        var personReply = await (await app.Admin().PostJsonAsync("reply", new { session_id = session, response = "From a person" })).DataAsync();
        var data = await (await app.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor}")).DataAsync();

        var events = Events(data, session);
        Assert.Equal(["status:delivered", "response:agent", "response:admin"],
            events.Select(e => $"{e.GetProperty("type").GetString()}:{(e.TryGetProperty("status", out var s) ? s.GetString() : e.GetProperty("author").GetString())}"));
        Assert.Equal(agentReply.GetProperty("response_id").GetInt64(), events[1].GetProperty("response_id").GetInt64());
        Assert.Equal(personReply.GetProperty("response_id").GetInt64(), events[2].GetProperty("response_id").GetInt64());

        var next = await (await app.Admin().GetAsync($"/api/v1/?action=admin_events&after={data.GetProperty("cursor").GetString()}")).DataAsync();
        Assert.Empty(Events(next, session));
    }

    [Fact]
    public async Task A_rating_and_replies_seen_for_the_first_time_are_events_and_a_repeated_report_is_none()
    {
        var session = Sessions.New();
        var reply = await FeedbackTests.ConversationAsync(app, session);
        var page = app.WithToken(FeedbackTests.Token);
        var cursor = await CursorAsync();

        (await page.PostJsonAsync("feedback", new { session_id = session, response_id = reply, rating = "down", reason = "wrong" })).EnsureSuccessStatusCode();
        (await page.PostJsonAsync("seen", new { session_id = session, response_id = reply })).EnsureSuccessStatusCode();
        (await page.PostJsonAsync("seen", new { session_id = session, response_id = reply })).EnsureSuccessStatusCode();
        (await page.PostJsonAsync("feedback", new { session_id = session, response_id = reply, rating = "none" })).EnsureSuccessStatusCode();
        var data = await (await app.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor}")).DataAsync();

        var events = Events(data, session);
        Assert.Equal(["feedback", "seen", "feedback"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(reply, e.GetProperty("response_id").GetInt64()));
    }

    [Fact]
    public async Task A_cursor_from_another_run_or_from_the_future_asks_for_a_reload()
    {
        var cursor = await CursorAsync();
        var sequence = long.Parse(cursor.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);

        var foreign = await (await app.Admin().GetAsync("/api/v1/?action=admin_events&after=00000000-1&wait=5")).DataAsync();
        var future = await (await app.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor.Split('-')[0]}-{sequence + 1000}")).DataAsync();

        Assert.True(foreign.GetProperty("reset").GetBoolean());
        Assert.True(future.GetProperty("reset").GetBoolean());
        Assert.Empty(foreign.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task A_message_that_became_stuck_is_an_exhausted_event_and_a_drop_a_dropped_one()
    {
        var time = TestClocks.Frozen();
        using var frozen = Leases.Frozen(time);
        var session = Sessions.New();
        var cursor = (await (await frozen.Admin().GetAsync("/api/v1/?action=admin_events")).DataAsync()).GetProperty("cursor").GetString();

        var id = await frozen.PostStuckAsync(time, session);
        async Task<List<string?>> StatusesAsync()
        {
            var data = await (await frozen.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor}")).DataAsync();
            return [.. Events(data, session).Where(e => e.GetProperty("type").GetString() == "status").Select(e => e.GetProperty("status").GetString())];
        }
        // The admin drops a message they were shown stuck: on PostgreSQL the sweep's events reach the feed through the bus.
        await Eventually.UntilAsync(async () => (await StatusesAsync()).Count == 7, "the sweep's events in the feed");
        await (await frozen.Admin().PostJsonAsync("drop_message", new { message_id = id })).DataAsync();

        // Three lapses, each back to pending; the third makes it stuck (exhausted) before it is announced pending again.
        Assert.Equal(["delivered", "pending", "delivered", "pending", "delivered", "exhausted", "pending", "dropped"], await StatusesAsync());
    }

    [Theory]
    [InlineData("after=abc", "Invalid after parameter")]
    [InlineData("after=-5", "Invalid after parameter")]
    [InlineData("after=x-y", "Invalid after parameter")]
    [InlineData("wait=soon", "Invalid wait parameter")]
    public async Task Bad_parameters_are_400s(string query, string error)
    {
        await (await app.Admin().GetAsync($"/api/v1/?action=admin_events&{query}")).AssertErrorAsync(400, error);
    }

    [Fact]
    public async Task The_api_key_gets_no_events()
    {
        await (await app.Broca().GetAsync("/api/v1/?action=admin_events")).AssertErrorAsync(401, "Invalid admin key");
    }

    private async Task<string> CursorAsync()
    {
        var data = await (await app.Admin().GetAsync("/api/v1/?action=admin_events")).DataAsync();
        return data.GetProperty("cursor").GetString()!;
    }

    /// <summary>The class shares one host, so each test reads only its own session's events.</summary>
    private static List<JsonElement> Events(JsonElement data, string session) =>
        [.. data.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("session_id").GetString() == session)];
}
