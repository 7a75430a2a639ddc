namespace ChatBridge.Tests.Actions;

/// <summary><c>sessions</c> narrowed by <c>q</c>, <c>agent_id</c> and <c>waiting</c>, each alone and together.</summary>
public sealed class SessionSearchTests
{
    [Fact]
    public async Task Q_matches_part_of_the_session_id_the_uid_or_a_message_or_reply_ignoring_case()
    {
        using var app = new BridgeApp();
        var user = app.Anonymous();
        await user.PostMessageAsync("session_find_alpha", "Where is my parcel?");
        await user.PostMessageAsync("session_find_beta", "hello");
        await app.Broca().PostReplyAsync("session_find_beta", "Your REFUND is on its way");
        await user.PostMessageAsync("session_other_gamma", "nothing to see");
        var uid = (string)app.Scalar("SELECT uid FROM web_chat_sessions WHERE session_id = 'session_other_gamma'")!;

        Assert.Equal(["session_find_alpha"], await IdsAsync(app, "q=PARCEL"));
        Assert.Equal(["session_find_beta"], await IdsAsync(app, "q=refund"));
        Assert.Equal(["session_find_beta", "session_find_alpha"], await IdsAsync(app, "q=find_"));
        Assert.Equal(["session_other_gamma"], await IdsAsync(app, $"q={uid[3..11]}"));
        Assert.Empty(await IdsAsync(app, "q=no+such+text"));
        Assert.Equal(3, (await IdsAsync(app, "q=++")).Count);
    }

    [Fact]
    public async Task Like_wildcards_in_q_match_only_themselves()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_wild_a", "100% sure");
        await app.Anonymous().PostMessageAsync("session_wild_b", "1000 sure");
        await app.Anonymous().PostMessageAsync("session_wild_c", @"a\b path");

        Assert.Equal(["session_wild_a"], await IdsAsync(app, $"q={Uri.EscapeDataString("0% s")}"));
        Assert.Equal(["session_wild_c"], await IdsAsync(app, $"q={Uri.EscapeDataString(@"a\b")}"));
        Assert.Empty(await IdsAsync(app, "q=wild%5Fz"));
        Assert.Empty(await IdsAsync(app, $"q={Uri.EscapeDataString("'; DROP TABLE web_chat_messages; --")}"));
        Assert.Equal(3, app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task Agent_id_keeps_the_sessions_of_that_agent()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        var hermes = app.AddAgent("Hermes");
        await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_agent_a", message = "hi", agent_id = athena });
        await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_agent_h", message = "hi", agent_id = hermes });
        await app.Anonymous().PostMessageAsync("session_agent_none", "hi");

        Assert.Equal(["session_agent_a"], await IdsAsync(app, $"agent_id={athena}"));
        Assert.Equal(["session_agent_h"], await IdsAsync(app, $"agent_id={hermes}"));
        Assert.Empty(await IdsAsync(app, "agent_id=999"));
    }

    [Fact]
    public async Task Waiting_keeps_sessions_with_a_message_no_reply_has_answered()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_wait_delivered", "picked up");
        await app.Anonymous().PostMessageAsync("session_wait_answered", "answered");
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0");
        await app.Broca().PostReplyAsync("session_wait_answered", "done");
        await app.Anonymous().PostMessageAsync("session_wait_pending", "not picked up yet");
        await app.Anonymous().PostMessageAsync("session_wait_person", "answered by a person");
        await app.Admin().PostJsonAsync("reply", new { session_id = "session_wait_person", response = "me", message_id = (long)app.Scalar("SELECT id FROM web_chat_messages WHERE session_id = 'session_wait_person'")! });

        Assert.Equal(["session_wait_delivered", "session_wait_pending"], (await IdsAsync(app, "waiting=true")).Order());
        Assert.Equal(4, (await IdsAsync(app, "waiting=false")).Count);
        var data = await (await app.Admin().GetAsync("/api/v1/?action=sessions&waiting=true")).DataAsync();
        Assert.Equal(2, data.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Filters_combine_and_the_total_counts_only_matches()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        for (var i = 0; i < 3; i++)
        {
            await app.Anonymous().PostJsonAsync("messages", new { session_id = $"session_combo_{i}", message = $"invoice {i}", agent_id = athena });
        }
        await app.Anonymous().PostMessageAsync("session_combo_x", "invoice without agent");
        await app.Broca().PostReplyAsync("session_combo_0", "paid");
        app.Execute("UPDATE web_chat_messages SET answered_at = '2026-01-01T00:00:00.000Z' WHERE session_id = 'session_combo_0'");

        var data = await (await app.Admin().GetAsync($"/api/v1/?action=sessions&q=invoice&agent_id={athena}&waiting=true&limit=1")).DataAsync();

        var pagination = data.GetProperty("pagination");
        Assert.Equal(2, pagination.GetProperty("total").GetInt32());
        Assert.True(pagination.GetProperty("has_more").GetBoolean());
        Assert.Single(data.GetProperty("sessions").EnumerateArray());
    }

    [Theory]
    [InlineData("agent_id=abc", "Invalid agent_id parameter")]
    [InlineData("agent_id=-1", "Invalid agent_id parameter")]
    [InlineData("waiting=maybe", "Invalid waiting parameter")]
    public async Task Bad_filters_are_400s_naming_the_parameter(string query, string error)
    {
        using var app = new BridgeApp();
        await (await app.Admin().GetAsync($"/api/v1/?action=sessions&{query}")).AssertErrorAsync(400, error);
    }

    [Fact]
    public async Task A_search_longer_than_200_characters_is_a_400()
    {
        using var app = new BridgeApp();
        await (await app.Admin().GetAsync($"/api/v1/?action=sessions&q={new string('a', 201)}")).AssertErrorAsync(400, "Invalid q parameter");
        await (await app.Admin().GetAsync($"/api/v1/?action=sessions&q={new string('a', 200)}")).DataAsync();
    }

    private static async Task<List<string>> IdsAsync(BridgeApp app, string query)
    {
        var data = await (await app.Admin().GetAsync($"/api/v1/?action=sessions&active=false&{query}")).DataAsync();
        return [.. data.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }
}
