namespace ChatBridge.Tests.Actions;

public sealed class ClearDataTests
{
    [Fact]
    public async Task Deletes_every_chat_row_and_nothing_of_the_control_app()
    {
        using var app = new BridgeApp();
        app.Execute("INSERT INTO users (username, email, password_hash) VALUES ('ada', 'ada@example.org', '!')");
        app.AddAgent("Athena");
        app.Execute("INSERT INTO system_config (config_key, config_value) VALUES ('ui_theme', 'dark')");
        app.Execute("INSERT INTO rate_limits (ip_address, endpoint, request_count) VALUES ('10.0.0.1', 'messages', 3)");
        // The dashboard's kept days are figures of the deleted messages.
        app.Execute("INSERT INTO stats_daily (day, agent_id, messages, replies, answered) VALUES ('2026-11-24', 0, 5, 4, 4)");
        await app.Anonymous().PostMessageAsync("session_clear_a", "x");
        await app.Broca().PostReplyAsync("session_clear_a", "y");

        var data = await (await app.Admin().PostJsonAsync("clear_data", new { })).DataAsync();

        Assert.Equal("All chat data cleared", data.GetProperty("message").GetString());
        var remaining = data.GetProperty("remaining_data");
        Assert.Equal(0, remaining.GetProperty("responses").GetInt32());
        Assert.Equal(0, remaining.GetProperty("messages").GetInt32());
        Assert.Equal(0, remaining.GetProperty("sessions").GetInt32());
        Assert.Equal(0, app.Count("rate_limits"));
        Assert.Equal(0, app.Count("stats_daily"));
        Assert.Equal(1, app.Count("users"));
        Assert.Equal(1, app.Count("agents"));
        Assert.Equal("dark", app.Scalar("SELECT config_value FROM system_config WHERE config_key = 'ui_theme'"));
        Assert.Equal(BridgeApp.ApiKey, app.Scalar("SELECT config_value FROM system_config WHERE config_key = 'api_key'"));
    }

    [Fact]
    public async Task Resets_the_rate_limit_counts()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_clear_rl", "1")).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_clear_rl", "2")).AssertErrorAsync(429, "Rate limit exceeded");

        await (await app.Admin().PostJsonAsync("clear_data", new { })).DataAsync();

        await (await app.Anonymous().PostMessageAsync("session_clear_rl", "3")).DataAsync();
    }
}
