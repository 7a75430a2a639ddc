namespace ChatBridge.Tests.Hosting;

/// <summary>Client addresses behind a reverse proxy: what rate limits, lockouts and socket allowances count by.</summary>
public sealed class ProxyTests
{
    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget_and_address()
    {
        using var app = new BridgeApp { RateLimiting = true, Settings = { ["ChatBridge:TrustedProxies:0"] = "127.0.0.1" } };
        app.ServeOnLoopback();
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        var alice = Behind(app, "203.0.113.5");
        var bob = Behind(app, "203.0.113.6");

        await (await alice.PostMessageAsync("session_proxy_alice", "1")).DataAsync();
        await (await alice.PostMessageAsync("session_proxy_alice", "2")).AssertErrorAsync(429, "Rate limit exceeded");
        await (await bob.PostMessageAsync("session_proxy_bob", "1")).DataAsync();

        Assert.Equal("203.0.113.5", app.Scalar("SELECT ip_address FROM web_chat_sessions WHERE session_id = 'session_proxy_alice'"));
    }

    [Fact]
    public async Task Without_trusted_proxies_a_forged_forwarded_address_changes_nothing()
    {
        using var app = new BridgeApp { RateLimiting = true };
        app.ServeOnLoopback();
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();

        await (await Behind(app, "203.0.113.5").PostMessageAsync("session_forged_a", "1")).DataAsync();
        await (await Behind(app, "203.0.113.6").PostMessageAsync("session_forged_b", "1")).AssertErrorAsync(429, "Rate limit exceeded");

        Assert.Equal("127.0.0.1", app.Scalar("SELECT ip_address FROM web_chat_sessions WHERE session_id = 'session_forged_a'"));
    }

    [Fact]
    public void A_trusted_proxy_that_is_not_an_address_stops_the_start()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:TrustedProxies:0"] = "proxy.example" } };

        var failure = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("'proxy.example' is neither an IP address nor a network", failure.ToString(), StringComparison.Ordinal);
    }

    private static HttpClient Behind(BridgeApp app, string forwardedFor)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
