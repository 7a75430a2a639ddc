namespace ChatBridge.Tests.Api;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Messages_allow_50_an_hour_then_answer_429_with_retry_after()
    {
        using var app = new BridgeApp { RateLimiting = true };
        var client = app.Anonymous();
        for (var i = 0; i < 50; i++)
        {
            await (await client.PostMessageAsync("session_rl_default", $"m{i}")).DataAsync();
        }

        var limited = await client.PostMessageAsync("session_rl_default", "one too many");

        var body = await limited.AssertErrorAsync(429, "Rate limit exceeded");
        var retryAfter = body.GetProperty("retry_after").GetInt32();
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Equal(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal(50, app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task Each_action_has_its_own_budget()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_rl_split", "1")).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_rl_split", "2")).AssertErrorAsync(429, "Rate limit exceeded");

        await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_rl_split")).DataAsync();
    }

    [Fact]
    public async Task Actions_that_share_a_setting_still_have_their_own_budgets()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_responses = 1 })).DataAsync();
        await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_rl_shared")).DataAsync();
        await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_rl_shared")).AssertErrorAsync(429, "Rate limit exceeded");

        await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_rl_shared")).DataAsync();
        await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();
        await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_rl_shared")).AssertErrorAsync(429, "Rate limit exceeded");
    }

    [Fact]
    public async Task Limits_come_from_system_config_and_zero_switches_one_off()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_inbox = 2, rate_limit_outbox = 0 })).DataAsync();
        await app.Anonymous().PostMessageAsync("session_rl_cfg", "x");

        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(429, "Rate limit exceeded");
        for (var i = 0; i < 250; i++)
        {
            await (await app.Broca().PostReplyAsync("session_rl_cfg", $"r{i}")).DataAsync();
        }
    }

    [Fact]
    public async Task Authentication_is_checked_before_the_rate_limit()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_sessions = 1 })).DataAsync();
        await (await app.Admin().GetAsync("/api/v1/?action=sessions")).DataAsync();
        await (await app.Admin().GetAsync("/api/v1/?action=sessions")).AssertErrorAsync(429, "Rate limit exceeded");

        await (await app.Anonymous().GetAsync("/api/v1/?action=sessions")).AssertErrorAsync(401, "Authentication required");
        await (await app.WithKey("wrong-key-wrong-key-wrong").GetAsync("/api/v1/?action=sessions")).AssertErrorAsync(401, "Invalid admin key");
    }

    [Fact]
    public async Task A_raised_limit_applies_at_once()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_rl_raise", "1")).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_rl_raise", "2")).AssertErrorAsync(429, "Rate limit exceeded");

        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 100 })).DataAsync();

        await (await app.Anonymous().PostMessageAsync("session_rl_raise", "3")).DataAsync();
    }

    [Fact]
    public async Task The_configuration_switch_turns_every_limit_off()
    {
        using var app = new BridgeApp { RateLimiting = false };
        for (var i = 0; i < 60; i++)
        {
            await (await app.Anonymous().PostMessageAsync("session_rl_off", $"m{i}")).DataAsync();
        }
    }
}
