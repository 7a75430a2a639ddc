using System.Text.Json;

namespace ChatBridge.Tests.Sanctum;

/// <summary>One Broca per agent, as Sanctum runs them: each agent's key reaches only that agent's conversations.</summary>
public sealed class AgentKeyTests
{
    [Fact]
    public async Task An_admin_makes_an_agents_key_which_is_shown_once_and_stored_only_as_its_digest()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");

        var data = await (await app.Admin().PostJsonAsync("agent_key", new { agent_id = athena })).DataAsync();

        Assert.Equal(athena, data.GetProperty("agent_id").GetInt64());
        var key = data.GetProperty("api_key").GetString()!;
        Assert.Matches("^[\\x21-\\x7e]{16,256}$", key);
        var stored = (string)app.Scalar("SELECT key_hash FROM chatbridge_agent_keys WHERE agent_id = $id", ("$id", athena))!;
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        var listed = await (await app.Admin().GetAsync("/api/v1/?action=agent_keys")).DataAsync();
        var entry = Assert.Single(listed.GetProperty("agents").EnumerateArray());
        Assert.Equal(JsonValueKind.String, entry.GetProperty("key_created_at").ValueKind);
        Assert.DoesNotContain(key, listed.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"agent_id": 999}""", "Invalid agent_id")]
    [InlineData("""{"agent_id": "one"}""", "Invalid agent_id")]
    [InlineData("""{"agent_id": -1}""", "Invalid agent_id")]
    [InlineData("""{}""", "Missing required fields")]
    public async Task A_key_for_no_agent_is_refused(string body, string error)
    {
        using var app = new BridgeApp();

        await (await app.Admin().PostRawAsync("agent_key", body)).AssertErrorAsync(400, error);
        await (await app.Broca().PostJsonAsync("agent_key", new { agent_id = 1 })).AssertErrorAsync(401, "Invalid admin key");
    }

    [Fact]
    public async Task Two_brocas_with_their_agents_keys_each_get_exactly_their_agents_messages_while_the_service_key_gets_every_one()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        var monday = app.AddAgent("Monday");
        var athenaBroca = app.WithKey(await KeyOfAsync(app, athena));
        var mondayBroca = app.WithKey(await KeyOfAsync(app, monday));
        for (var i = 0; i < 5; i++)
        {
            (await app.Anonymous().PostJsonAsync("messages", new { session_id = $"session_athena_{i}", message = $"for Athena {i}", agent_id = athena })).EnsureSuccessStatusCode();
            (await app.Anonymous().PostJsonAsync("messages", new { session_id = $"session_monday_{i}", message = $"for Monday {i}", agent_id = monday })).EnsureSuccessStatusCode();
        }
        (await app.Anonymous().PostMessageAsync("session_no_agent", "for anyone")).EnsureSuccessStatusCode();

        var pollers = await Task.WhenAll(
            ClaimAllAsync(athenaBroca), ClaimAllAsync(athenaBroca), ClaimAllAsync(mondayBroca), ClaimAllAsync(mondayBroca));
        var everyone = await ClaimAllAsync(app.Broca());

        var athenaGot = pollers[0].Concat(pollers[1]).ToList();
        var mondayGot = pollers[2].Concat(pollers[3]).ToList();
        Assert.Equal(5, athenaGot.Count);
        Assert.Equal(5, mondayGot.Count);
        Assert.All(athenaGot, m => Assert.StartsWith("for Athena", m.Text, StringComparison.Ordinal));
        Assert.All(mondayGot, m => Assert.StartsWith("for Monday", m.Text, StringComparison.Ordinal));
        Assert.Equal(["for anyone"], everyone.Select(m => m.Text));
    }

    [Fact]
    public async Task An_agent_key_answers_and_types_only_into_its_agents_sessions()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        var monday = app.AddAgent("Monday");
        var athenaBroca = app.WithKey(await KeyOfAsync(app, athena));
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_of_athena", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_of_monday", message = "hi", agent_id = monday })).EnsureSuccessStatusCode();
        (await app.Anonymous().PostMessageAsync("session_of_none", "hi")).EnsureSuccessStatusCode();

        await (await athenaBroca.PostReplyAsync("session_of_athena", "Athena here")).DataAsync();
        await (await athenaBroca.PostJsonAsync("typing", new { session_id = "session_of_athena", state = "start" })).DataAsync();
        foreach (var other in new[] { "session_of_monday", "session_of_none" })
        {
            var lastActive = app.Scalar("SELECT last_active FROM web_chat_sessions WHERE session_id = $s", ("$s", other));
            await (await athenaBroca.PostReplyAsync(other, "not mine")).AssertErrorAsync(403, "Session belongs to another agent");
            await (await athenaBroca.PostJsonAsync("typing", new { session_id = other, state = "start" })).AssertErrorAsync(403, "Session belongs to another agent");
            Assert.Equal(lastActive, app.Scalar("SELECT last_active FROM web_chat_sessions WHERE session_id = $s", ("$s", other)));
        }
        await (await athenaBroca.PostReplyAsync("session_unknown", "hi")).AssertErrorAsync(400, "Invalid session");
        Assert.Equal(1L, app.Count("web_chat_responses"));
        await (await app.Broca().PostReplyAsync("session_of_monday", "the service key answers any")).DataAsync();
    }

    [Fact]
    public async Task A_key_of_an_agent_re_keyed_deactivated_or_deleted_is_refused_on_the_next_request()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        var monday = app.AddAgent("Monday");
        var titan = app.AddAgent("Titan");
        var first = await KeyOfAsync(app, athena);
        var second = await KeyOfAsync(app, athena);
        var mondayKey = await KeyOfAsync(app, monday);
        var titanKey = await KeyOfAsync(app, titan);
        await (await app.WithKey(mondayKey).GetAsync("/api/v1/?action=inbox")).DataAsync();

        app.Execute("UPDATE agents SET is_active = $f WHERE id = $id", ("$f", false), ("$id", monday));
        app.ExecuteWithoutForeignKeys("DELETE FROM agents WHERE id = $id", ("$id", titan));

        await (await app.WithKey(first).GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
        await (await app.WithKey(second).GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.WithKey(mondayKey).GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
        await (await app.WithKey(titanKey).GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
    }

    [Fact]
    public async Task A_waiting_long_poll_of_an_agent_key_wakes_for_its_agents_message_and_not_for_anothers()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        var monday = app.AddAgent("Monday");
        var athenaBroca = app.WithKey(await KeyOfAsync(app, athena));

        var poll = athenaBroca.GetAsync("/api/v1/?action=inbox&wait=20");
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_m_first", message = "for Monday", agent_id = monday })).EnsureSuccessStatusCode();
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_a_second", message = "for Athena", agent_id = athena })).EnsureSuccessStatusCode();
        var data = await (await poll).DataAsync();

        Assert.Equal(["for Athena"], data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
        Assert.Equal(1L, app.Scalar("SELECT processed FROM web_chat_messages WHERE session_id = 'session_a_second'"));
        Assert.Equal(0L, app.Scalar("SELECT processed FROM web_chat_messages WHERE session_id = 'session_m_first'"));
    }

    [Fact]
    public async Task A_lapsed_lease_of_an_agents_message_comes_back_to_that_agents_broca_only()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Inbox:ClaimTimeout"] = "00:00:01" } };
        var athena = app.AddAgent("Athena");
        var monday = app.AddAgent("Monday");
        var athenaBroca = app.WithKey(await KeyOfAsync(app, athena));
        var mondayBroca = app.WithKey(await KeyOfAsync(app, monday));
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_lease_a", message = "for Athena", agent_id = athena })).EnsureSuccessStatusCode();
        Assert.Single(await ClaimAllAsync(athenaBroca));

        app.Clock.Advance(TimeSpan.FromSeconds(2));
        var again = await athenaBroca.GetAsync("/api/v1/?action=inbox&wait=10");

        Assert.Empty(await ClaimAllAsync(mondayBroca));
        Assert.Equal(["for Athena"], (await again.DataAsync()).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
    }

    internal static async Task<string> KeyOfAsync(BridgeApp app, long agentId) =>
        (await (await app.Admin().PostJsonAsync("agent_key", new { agent_id = agentId })).DataAsync()).GetProperty("api_key").GetString()!;

    /// <summary>Claims until the inbox is empty for this key, as a polling Broca does.</summary>
    internal static async Task<List<(long Id, string Text)>> ClaimAllAsync(HttpClient broca)
    {
        List<(long, string)> claimed = [];
        while (true)
        {
            var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=2")).DataAsync();
            var messages = data.GetProperty("messages").EnumerateArray().ToList();
            if (messages.Count == 0)
            {
                return claimed;
            }
            claimed.AddRange(messages.Select(m => (m.GetProperty("id").GetInt64(), m.GetProperty("message").GetString()!)));
        }
    }
}
