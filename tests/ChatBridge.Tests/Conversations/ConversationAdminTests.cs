using System.Text.Json;
using ChatBridge.Tests.Sanctum;

namespace ChatBridge.Tests.Conversations;

public sealed class ConversationAdminTests
{
    private const string Token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task The_admin_transcript_shows_each_replys_rating_and_when_it_was_seen()
    {
        using var app = new FrozenBridgeApp();
        var rated = await FeedbackTests.ConversationAsync(app, "session_adm_transcript");
        var unrated = (await (await app.Broca().PostReplyAsync("session_adm_transcript", "more")).DataAsync()).GetProperty("response_id").GetInt64();
        var page = app.WithToken(Token);
        (await page.PostJsonAsync("feedback", new { session_id = "session_adm_transcript", response_id = rated, rating = "down", reason = "unhelpful" })).EnsureSuccessStatusCode();
        (await page.PostJsonAsync("seen", new { session_id = "session_adm_transcript", response_id = rated })).EnsureSuccessStatusCode();
        var at = Arrange.Stamp(app.Time.GetUtcNow());

        var data = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_adm_transcript")).DataAsync();
        var responses = data.GetProperty("responses").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetInt64());
        Assert.Equal("down", responses[rated].GetProperty("rating").GetString());
        Assert.Equal("unhelpful", responses[rated].GetProperty("reason").GetString());
        Assert.Equal(at, responses[rated].GetProperty("rated_at").GetString());
        Assert.Equal(at, responses[rated].GetProperty("seen_at").GetString());
        Assert.False(responses[unrated].TryGetProperty("rating", out _));
        Assert.False(responses[unrated].TryGetProperty("seen_at", out _));

        // The visitor's own history shows their rating after a reload; a poll's answer stays as it was.
        var history = await (await page.GetAsync("/api/v1/?action=history&session_id=session_adm_transcript")).DataAsync();
        Assert.Equal("down", history.GetProperty("responses")[0].GetProperty("rating").GetString());
        var poll = await (await page.GetAsync("/api/v1/?action=responses&session_id=session_adm_transcript")).DataAsync();
        Assert.False(poll.GetProperty("responses")[0].TryGetProperty("rating", out _));
    }

    [Fact]
    public async Task Session_search_filters_sessions_rated_down()
    {
        using var app = new BridgeApp();
        var down = await FeedbackTests.ConversationAsync(app, "session_adm_down");
        var up = await FeedbackTests.ConversationAsync(app, "session_adm_up");
        await FeedbackTests.ConversationAsync(app, "session_adm_unrated");
        (await app.WithToken(Token).PostJsonAsync("feedback", new { session_id = "session_adm_down", response_id = down, rating = "down" })).EnsureSuccessStatusCode();
        (await app.WithToken(Token).PostJsonAsync("feedback", new { session_id = "session_adm_up", response_id = up, rating = "up" })).EnsureSuccessStatusCode();

        Assert.Equal(["session_adm_down"], await SessionIdsAsync(app, "&rated=down"));
        Assert.Equal(["session_adm_up"], await SessionIdsAsync(app, "&rated=up"));
        Assert.Equal(3, (await SessionIdsAsync(app, "")).Count);
        await (await app.Admin().GetAsync("/api/v1/?action=sessions&rated=meh")).AssertErrorAsync(400, "Invalid rated parameter");
    }

    [Fact]
    public async Task Stats_count_each_days_ratings_per_agent()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");
        var page = app.WithToken(Token);
        foreach (var (session, rating) in new[] { ("session_adm_s1", "up"), ("session_adm_s2", "up"), ("session_adm_s3", "down") })
        {
            (await page.PostJsonAsync("messages", new { session_id = session, message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
            var reply = (await (await app.Broca().PostReplyAsync(session, "hello")).DataAsync()).GetProperty("response_id").GetInt64();
            (await page.PostJsonAsync("feedback", new { session_id = session, response_id = reply, rating })).EnsureSuccessStatusCode();
        }

        var stats = await (await app.Admin().GetAsync("/api/v1/?action=stats")).DataAsync();
        var day = Assert.Single(stats.GetProperty("satisfaction").EnumerateArray());
        Assert.Equal(Arrange.Stamp(app.Time.GetUtcNow())[..10], day.GetProperty("day").GetString());
        Assert.Equal(athena, day.GetProperty("agent_id").GetInt64());
        Assert.Equal(2, day.GetProperty("up").GetInt64());
        Assert.Equal(1, day.GetProperty("down").GetInt64());
    }

    [Fact]
    public async Task Brocas_lists_each_agents_last_poll_and_backlog()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");
        var hermes = app.AddAgent("Hermes");
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_adm_b1", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
        var oldest = Arrange.Stamp(app.Time.GetUtcNow());
        app.Time.Advance(TimeSpan.FromSeconds(5));
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_adm_b2", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
        var hermesKey = (await (await app.Admin().PostJsonAsync("agent_key", new { agent_id = hermes })).DataAsync()).GetProperty("api_key").GetString()!;
        (await app.WithKey(hermesKey).GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).EnsureSuccessStatusCode();
        var polled = Arrange.Stamp(app.Time.GetUtcNow());

        var data = await (await app.Admin().GetAsync("/api/v1/?action=brocas")).DataAsync();
        var brocas = data.GetProperty("brocas").EnumerateArray().ToDictionary(b => b.GetProperty("agent_id").GetInt64());
        Assert.Equal(2, brocas[athena].GetProperty("backlog").GetInt64());
        Assert.Equal(oldest, brocas[athena].GetProperty("oldest_waiting_at").GetString());
        Assert.False(brocas[athena].GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Null, brocas[athena].GetProperty("last_poll_at").ValueKind);
        Assert.Equal(0, brocas[hermes].GetProperty("backlog").GetInt64());
        Assert.True(brocas[hermes].GetProperty("online").GetBoolean());
        Assert.Equal(polled, brocas[hermes].GetProperty("last_poll_at").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("service_key").GetProperty("last_poll_at").ValueKind);
        await (await app.Anonymous().GetAsync("/api/v1/?action=brocas")).AssertErrorAsync(401, "Authentication required");
    }

    [Fact]
    public async Task A_hidden_conversation_leaves_its_owners_list_but_not_the_admins()
    {
        using var app = new BridgeApp();
        app.AddUser("ada");
        app.AddUser("bob");
        var ada = await app.SignedInAsync("ada");
        (await ada.PostMessageAsync("session_adm_hide", "a conversation to forget")).EnsureSuccessStatusCode();
        (await ada.PostMessageAsync("session_adm_keep", "a conversation to keep")).EnsureSuccessStatusCode();

        await (await app.Anonymous().PostJsonAsync("hide_session", new { session_id = "session_adm_hide" })).AssertErrorAsync(401, "Authentication required");
        var bob = await app.SignedInAsync("bob");
        await (await bob.PostJsonAsync("hide_session", new { session_id = "session_adm_hide" })).AssertErrorAsync(403, "Not your session");
        await (await ada.PostJsonAsync("hide_session", new { session_id = "session_adm_none" })).AssertErrorAsync(403, "Not your session");
        await (await ada.PostJsonAsync("hide_session", new { session_id = "session_adm_hide", hidden = "yes" })).AssertErrorAsync(400, "Invalid request body");

        var hidden = await (await ada.PostJsonAsync("hide_session", new { session_id = "session_adm_hide" })).DataAsync();
        Assert.True(hidden.GetProperty("hidden").GetBoolean());
        BridgeRequests.AssertTimestamp(hidden.GetProperty("hidden_at").GetString());

        var mine = await ada.MySessionsAsync();
        var listed = Assert.Single(mine.GetProperty("sessions").EnumerateArray());
        Assert.Equal("session_adm_keep", listed.GetProperty("session_id").GetString());
        Assert.Equal("a conversation to keep", listed.GetProperty("title").GetString());
        Assert.Equal(1, mine.GetProperty("pagination").GetProperty("total").GetInt32());
        var admin = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();
        var seen = admin.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "session_adm_hide");
        Assert.Equal(hidden.GetProperty("hidden_at").GetString(), seen.GetProperty("hidden_at").GetString());
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_adm_hide'"));

        (await ada.PostJsonAsync("hide_session", new { session_id = "session_adm_hide", hidden = false })).EnsureSuccessStatusCode();
        Assert.Equal(2, (await ada.MySessionsAsync()).GetProperty("sessions").GetArrayLength());
    }

    private static async Task<List<string>> SessionIdsAsync(BridgeApp app, string filter) =>
        [.. (await (await app.Admin().GetAsync($"/api/v1/?action=sessions&active=false{filter}")).DataAsync())
            .GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
}
