namespace ChatBridge.Tests.Api;

/// <summary>Every protected action against every kind of credential.</summary>
public sealed class AuthTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    public static TheoryData<string, string> BrocaActions => new()
    {
        { "GET", "inbox&limit=1&offset=0" },
        { "POST", "outbox" },
    };

    public static TheoryData<string, string> AdminActions => new()
    {
        { "GET", "sessions" },
        { "GET", "session_messages&session_id=session_nobody" },
        { "GET", "config" },
        { "POST", "cleanup" },
        { "POST", "cleanup_logs" },
        { "POST", "clear_data" },
        { "POST", "reply" },
        { "GET", "backlog" },
        { "GET", "stats" },
        { "GET", "admin_events" },
        { "POST", "drop_message" },
        { "POST", "retry_message" },
    };

    [Theory]
    [MemberData(nameof(BrocaActions))]
    [MemberData(nameof(AdminActions))]
    public async Task No_authorization_header_is_authentication_required(string method, string action)
    {
        var response = await Send(app.Anonymous(), method, action, null);
        await response.AssertErrorAsync(401, "Authentication required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(BrocaActions))]
    [MemberData(nameof(AdminActions))]
    public async Task A_header_that_is_not_bearer_is_authentication_required(string method, string action)
    {
        var response = await Send(app.Anonymous(), method, action, $"Basic {BridgeApp.ApiKey}");
        await response.AssertErrorAsync(401, "Authentication required");
    }

    [Theory]
    [MemberData(nameof(BrocaActions))]
    public async Task A_wrong_or_empty_key_is_refused_for_broca_actions(string method, string action)
    {
        await (await Send(app.Anonymous(), method, action, "Bearer not-the-key-at-all-000")).AssertErrorAsync(401, "Invalid API key");
        // Broca sends an unset key as "Bearer " with nothing after it.
        await (await Send(app.Anonymous(), method, action, "Bearer ")).AssertErrorAsync(401, "Invalid API key");
    }

    [Theory]
    [MemberData(nameof(AdminActions))]
    public async Task The_api_key_does_not_open_admin_actions(string method, string action)
    {
        await (await Send(app.Anonymous(), method, action, $"Bearer {BridgeApp.ApiKey}")).AssertErrorAsync(401, "Invalid admin key");
        await (await Send(app.Anonymous(), method, action, "Bearer wrong-wrong-wrong-wrong")).AssertErrorAsync(401, "Invalid admin key");
    }

    [Fact]
    public async Task Both_keys_open_broca_actions()
    {
        foreach (var client in new[] { app.Broca(), app.Admin() })
        {
            var response = await client.GetAsync("/api/v1/?action=inbox&limit=1&offset=0");
            await response.DataAsync();
        }
    }

    [Fact]
    public async Task The_scheme_is_case_insensitive()
    {
        var response = await Send(app.Anonymous(), "GET", "config", $"bearer {BridgeApp.AdminKey}");
        await response.DataAsync();
    }

    [Fact]
    public async Task Errors_never_echo_the_presented_key()
    {
        const string Guess = "guessed-key-that-must-not-echo";
        var response = await Send(app.Anonymous(), "GET", "config", $"Bearer {Guess}");
        Assert.DoesNotContain(Guess, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <param name="action">The action name, optionally followed by <c>&amp;</c> and query parameters.</param>
    private static Task<HttpResponseMessage> Send(HttpClient client, string method, string action, string? authorization)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/?action={action}");
        if (method == "POST")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return client.SendAsync(request);
    }
}
