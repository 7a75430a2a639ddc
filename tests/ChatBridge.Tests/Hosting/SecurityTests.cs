namespace ChatBridge.Tests.Hosting;

public sealed class SecurityTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/admin")]
    [InlineData("/api/v1/?action=agents")]
    public async Task Pages_and_answers_carry_a_strict_content_security_policy(string path)
    {
        using var app = new BridgeApp();
        var response = await app.Anonymous().GetAsync(path);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Repeated_wrong_keys_from_one_client_are_locked_out_even_with_the_right_key()
    {
        using var app = new BridgeApp { RateLimiting = true };
        var guesser = app.WithKey("guess-guess-guess-guess-0");
        for (var i = 0; i < 10; i++)
        {
            await (await guesser.GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
        }

        var locked = await guesser.GetAsync("/api/v1/?action=inbox");
        var evenRight = await app.Admin().GetAsync("/api/v1/?action=config");

        var body = await locked.AssertErrorAsync(429, "Rate limit exceeded");
        Assert.InRange(body.GetProperty("retry_after").GetInt32(), 1, 900);
        await evenRight.AssertErrorAsync(429, "Rate limit exceeded");
        // Public actions stay open: the lockout guards the keys, not the chat.
        await (await app.Anonymous().PostMessageAsync("session_lockout", "still chatting")).DataAsync();
    }

    [Fact]
    public async Task Missing_credentials_do_not_count_as_guesses()
    {
        using var app = new BridgeApp { RateLimiting = true };
        for (var i = 0; i < 20; i++)
        {
            await (await app.Anonymous().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Authentication required");
        }

        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
    }

    [SqliteFact]
    public async Task A_write_blocked_by_another_writer_is_a_503_to_retry_and_reads_go_on()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:BusyTimeoutMs"] = "200" } };
        await (await app.Anonymous().PostMessageAsync("session_busy", "before")).DataAsync();
        using var blocker = app.OpenDatabase();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var blocked = await app.Anonymous().PostMessageAsync("session_busy", "during");
        var read = await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_busy");

        await blocked.AssertErrorAsync(503, "Service busy, retry shortly");
        Assert.Equal("1", blocked.Headers.GetValues("Retry-After").Single());
        Assert.Equal(1, (await read.DataAsync()).GetProperty("messages").GetArrayLength());
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        await (await app.Anonymous().PostMessageAsync("session_busy", "after")).DataAsync();
    }
}
