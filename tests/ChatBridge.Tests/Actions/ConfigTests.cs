using System.Net.Http.Json;

namespace ChatBridge.Tests.Actions;

public sealed class ConfigTests
{
    [Fact]
    public async Task Shows_the_bridges_settings_and_none_of_the_control_apps()
    {
        using var app = new BridgeApp();
        app.Execute("INSERT INTO system_config (config_key, config_value) VALUES ('ui_theme', 'dark')");

        var data = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();

        Assert.Equal(
            ["admin_key", "api_key", "max_message_length", "rate_limit_inbox", "rate_limit_messages", "rate_limit_outbox",
             "rate_limit_responses", "rate_limit_sessions", "rate_limit_sign_in", "session_timeout"],
            data.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(BridgeApp.ApiKey, data.GetProperty("api_key").GetString());
        Assert.Equal(BridgeApp.AdminKey, data.GetProperty("admin_key").GetString());
        Assert.Equal(1800, data.GetProperty("session_timeout").GetInt32());
        Assert.Equal(10000, data.GetProperty("max_message_length").GetInt32());
        Assert.Equal(50, data.GetProperty("rate_limit_messages").GetInt32());
        Assert.Equal(200, data.GetProperty("rate_limit_responses").GetInt32());
        Assert.Equal(120, data.GetProperty("rate_limit_inbox").GetInt32());
        Assert.Equal(200, data.GetProperty("rate_limit_outbox").GetInt32());
        Assert.Equal(20, data.GetProperty("rate_limit_sessions").GetInt32());
        Assert.Equal(30, data.GetProperty("rate_limit_sign_in").GetInt32());
    }

    [Fact]
    public async Task Changes_apply_at_once_and_leave_other_rows_alone()
    {
        using var app = new BridgeApp();
        app.Execute("INSERT INTO system_config (config_key, config_value) VALUES ('ui_theme', 'dark')");

        var data = await (await app.Admin().PostJsonAsync("config", new { max_message_length = 5, session_timeout = 600 })).DataAsync();

        Assert.Equal(5, data.GetProperty("max_message_length").GetInt32());
        Assert.Equal(600, data.GetProperty("session_timeout").GetInt32());
        await (await app.Anonymous().PostMessageAsync("session_cfg_len", "123456")).AssertErrorAsync(400, "Invalid message");
        await (await app.Anonymous().PostMessageAsync("session_cfg_len", "12345")).DataAsync();
        Assert.Equal("dark", app.Scalar("SELECT config_value FROM system_config WHERE config_key = 'ui_theme'"));
    }

    [Fact]
    public async Task A_rotated_api_key_works_on_the_next_request_and_the_old_one_is_refused()
    {
        using var app = new BridgeApp();
        const string NewKey = "rotated-api-key-0123456789";

        await (await app.Admin().PostJsonAsync("config", new { api_key = NewKey })).DataAsync();

        await (await app.WithKey(NewKey).GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
    }

    [Fact]
    public async Task A_rotated_admin_key_works_on_the_next_request_and_the_old_one_is_refused()
    {
        using var app = new BridgeApp();
        const string NewKey = "rotated-admin-key-0123456789";

        await (await app.Admin().PostJsonAsync("config", new { admin_key = NewKey })).DataAsync();

        await (await app.WithKey(NewKey).GetAsync("/api/v1/?action=config")).DataAsync();
        await (await app.Admin().GetAsync("/api/v1/?action=config")).AssertErrorAsync(401, "Invalid admin key");
        Assert.Equal(NewKey, app.Scalar("SELECT config_value FROM system_config WHERE config_key = 'admin_key'"));
    }

    [Theory]
    [InlineData("""{"theme": "dark"}""", "Unknown config key: theme")]
    [InlineData("""{"api_key": "short"}""", "Invalid value for api_key: must be 16 to 256 printable ASCII characters without spaces")]
    [InlineData("""{"api_key": "has spaces in the middle"}""", "Invalid value for api_key: must be 16 to 256 printable ASCII characters without spaces")]
    [InlineData("""{"admin_key": 1234567890123456789}""", "Invalid value for admin_key: expected a string, got a number")]
    [InlineData("""{"session_timeout": "1800"}""", "Invalid value for session_timeout: expected an integer from 60 to 31536000, got a string")]
    [InlineData("""{"max_message_length": "12000"}""", "Invalid value for max_message_length: expected an integer from 1 to 15000, got a string")]
    [InlineData("""{"session_timeout": 1.5}""", "Invalid value for session_timeout: expected an integer from 60 to 31536000, got a number with a fraction")]
    [InlineData("""{"max_message_length": 0}""", "Invalid value for max_message_length: an integer from 1 to 15000")]
    [InlineData("""{"rate_limit_messages": -1}""", "Invalid value for rate_limit_messages: an integer from 0 to 1000000")]
    [InlineData("""{"rate_limit_messages": null}""", "Invalid value for rate_limit_messages: expected an integer from 0 to 1000000, got null")]
    [InlineData("""{"api_key": "test-admin-key-0123456789"}""", "api_key and admin_key must differ")]
    [InlineData("""["api_key"]""", "Invalid JSON")]
    public async Task Bad_changes_are_refused_and_nothing_is_written(string body, string error)
    {
        using var app = new BridgeApp();
        var before = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();

        var response = await app.Admin().PostRawAsync("config", body);

        await response.AssertErrorAsync(400, error);
        var after = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        Assert.Equal(before.ToString(), after.ToString());
    }

    [Fact]
    public async Task A_change_with_one_bad_key_writes_none_of_the_good_ones()
    {
        using var app = new BridgeApp();
        var response = await app.Admin().PostAsync("/api/v1/?action=config", JsonContent.Create(new { session_timeout = 900, bogus = 1 }));

        await response.AssertErrorAsync(400, "Unknown config key: bogus");
        var data = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        Assert.Equal(1800, data.GetProperty("session_timeout").GetInt32());
    }
}
