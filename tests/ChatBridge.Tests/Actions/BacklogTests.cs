using System.Text.Json;

namespace ChatBridge.Tests.Actions;

/// <summary><c>backlog</c>: every message still waiting for an answer, oldest first, with its age.</summary>
public sealed class BacklogTests
{
    [Fact]
    public async Task Lists_unanswered_messages_oldest_first_with_age_state_and_exhaustion()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_backlog_a", message = "first, given up on", agent_id = athena });
        await app.Anonymous().PostMessageAsync("session_backlog_b", "second, answered");
        await app.Anonymous().PostMessageAsync("session_backlog_a", "third, delivered");
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0");
        await app.Broca().PostJsonAsync("outbox", new { session_id = "session_backlog_b", response = "done" });
        await app.Anonymous().PostMessageAsync("session_backlog_b", "fourth, pending");
        // The first message is stuck: a working Broca left it unanswered three times; it waits out its back-off in the inbox.
        app.Execute("""
            UPDATE web_chat_messages SET delivery_count = 3, strikes = 3, claim_expires_at = NULL, processed = 0,
                timestamp = '2026-01-01T00:00:00.000Z', not_before = '2026-01-01T01:00:00.000Z'
            WHERE message = 'first, given up on'
            """);
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        var data = await (await app.Admin().GetAsync("/api/v1/?action=backlog")).DataAsync();

        var messages = data.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["first, given up on", "third, delivered", "fourth, pending"], messages.Select(m => m.GetProperty("message").GetString()));
        Assert.Equal(["pending", "delivered", "pending"], messages.Select(m => m.GetProperty("status").GetString()));
        Assert.Equal([true, false, false], messages.Select(m => m.GetProperty("exhausted").GetBoolean()));
        Assert.Equal([3, 0, 0], messages.Select(m => m.GetProperty("strikes").GetInt32()));
        Assert.Equal("2026-01-01T01:00:00.000Z", messages[0].GetProperty("next_delivery_at").GetString());
        Assert.Equal(JsonValueKind.Null, messages[1].GetProperty("next_delivery_at").ValueKind);
        Assert.Equal(["session_backlog_a", "session_backlog_a", "session_backlog_b"], messages.Select(m => m.GetProperty("session_id").GetString()));
        Assert.Equal(athena, messages[0].GetProperty("agent_id").GetInt64());
        Assert.Matches("^[0-9a-f]{16}$", messages[0].GetProperty("uid").GetString());
        Assert.Equal(3, messages[0].GetProperty("delivery_count").GetInt32());
        Assert.True(messages[0].GetProperty("age_seconds").GetInt64() > 60L * 60 * 24 * 300);
        Assert.InRange(messages[2].GetProperty("age_seconds").GetInt64(), 595, 660);
        Assert.Equal(3, data.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Pages_through_a_long_backlog()
    {
        using var app = new BridgeApp();
        for (var i = 0; i < 5; i++)
        {
            await app.Anonymous().PostMessageAsync("session_backlog_pages", $"m{i}");
        }

        var data = await (await app.Admin().GetAsync("/api/v1/?action=backlog&limit=2&offset=2")).DataAsync();

        Assert.Equal(["m2", "m3"], data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
        var pagination = data.GetProperty("pagination");
        Assert.Equal(5, pagination.GetProperty("total").GetInt32());
        Assert.True(pagination.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("limit=0", "Invalid limit parameter")]
    [InlineData("offset=-1", "Invalid offset parameter")]
    public async Task Bad_paging_is_a_400(string query, string error)
    {
        using var app = new BridgeApp();
        await (await app.Admin().GetAsync($"/api/v1/?action=backlog&{query}")).AssertErrorAsync(400, error);
    }

    [Fact]
    public async Task Needs_the_admin_key()
    {
        using var app = new BridgeApp();
        await (await app.Broca().GetAsync("/api/v1/?action=backlog")).AssertErrorAsync(401, "Invalid admin key");
    }
}
