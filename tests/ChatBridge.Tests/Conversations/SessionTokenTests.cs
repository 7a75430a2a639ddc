using System.Security.Cryptography;
using System.Text;
using ChatBridge.Chat;
using ChatBridge.Http;
using ChatBridge.Tests.Attachments;
using ChatBridge.Tests.Realtime;
using ChatBridge.Tests.Sanctum;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Conversations;

public sealed class SessionTokenTests
{
    internal const string Mine = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    internal const string Theirs = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    [Fact]
    public async Task A_session_created_with_a_token_answers_only_to_that_token()
    {
        using var app = new BridgeApp();
        var owner = app.WithToken(Mine);
        (await owner.PostMessageAsync("session_tok_bound", "hello")).EnsureSuccessStatusCode();

        Assert.Equal(Hex(Mine), app.Scalar("SELECT token_hash FROM web_chat_sessions WHERE session_id = 'session_tok_bound'"));
        foreach (var stranger in new[] { app.Anonymous(), app.WithToken(Theirs) })
        {
            await (await stranger.GetAsync("/api/v1/?action=responses&session_id=session_tok_bound")).AssertErrorAsync(403, "Invalid session token");
            await (await stranger.GetAsync("/api/v1/?action=history&session_id=session_tok_bound")).AssertErrorAsync(403, "Invalid session token");
            await (await stranger.PostMessageAsync("session_tok_bound", "let me in")).AssertErrorAsync(403, "Invalid session token");
            await (await stranger.UploadAsync("session_tok_bound", TestFiles.Png(), "a.png")).AssertErrorAsync(403, "Invalid session token");
        }
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_tok_bound'"));
        Assert.Equal(0L, app.Count("chatbridge_attachments"));

        var history = await (await owner.GetAsync("/api/v1/?action=history&session_id=session_tok_bound")).DataAsync();
        Assert.Equal("hello", history.GetProperty("messages")[0].GetProperty("message").GetString());
        (await owner.GetAsync("/api/v1/?action=responses&session_id=session_tok_bound")).EnsureSuccessStatusCode();
        (await owner.UploadAsync("session_tok_bound", TestFiles.Png(), "a.png")).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789abcdef0123456789abcdef!")]
    [InlineData("0123456789abcdef 0123456789abcdef")]
    public async Task A_malformed_token_is_a_400(string token)
    {
        using var app = new BridgeApp();
        var client = app.WithToken(token);

        await (await client.PostMessageAsync("session_tok_bad", "hello")).AssertErrorAsync(400, "Invalid session token");
        await (await client.GetAsync("/api/v1/?action=responses&session_id=session_tok_bad")).AssertErrorAsync(400, "Invalid session token");
        Assert.Equal(0, app.Count("web_chat_sessions"));
    }

    [Fact]
    public async Task A_token_longer_than_128_characters_is_a_400()
    {
        using var app = new BridgeApp();
        (await app.WithToken(new string('a', 128)).PostMessageAsync("session_tok_long", "hi")).EnsureSuccessStatusCode();
        await (await app.WithToken(new string('a', 129)).PostMessageAsync("session_tok_long", "hi")).AssertErrorAsync(400, "Invalid session token");
    }

    [Fact]
    public async Task A_poll_that_creates_the_session_binds_it_too()
    {
        using var app = new BridgeApp();
        (await app.WithToken(Mine).GetAsync("/api/v1/?action=responses&session_id=session_tok_poll")).EnsureSuccessStatusCode();

        await (await app.Anonymous().PostMessageAsync("session_tok_poll", "mine now?")).AssertErrorAsync(403, "Invalid session token");
        (await app.WithToken(Mine).PostMessageAsync("session_tok_poll", "mine")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_session_made_without_a_token_is_never_bound_later()
    {
        using var app = new BridgeApp();
        (await app.Anonymous().PostMessageAsync("session_tok_legacy", "old client")).EnsureSuccessStatusCode();
        (await app.WithToken(Theirs).PostMessageAsync("session_tok_legacy", "someone who knows the id")).EnsureSuccessStatusCode();

        Assert.Null(app.Scalar("SELECT token_hash FROM web_chat_sessions WHERE session_id = 'session_tok_legacy'"));
        (await app.Anonymous().PostMessageAsync("session_tok_legacy", "still works")).EnsureSuccessStatusCode();
        (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_tok_legacy")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Refusing_legacy_sessions_refuses_them_and_new_sessions_without_a_token()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Chat:LegacySessions"] = "refuse" } };
        app.Execute("INSERT INTO web_chat_sessions (session_id, uid) VALUES ('session_tok_old', '00112233aabbccdd')");

        await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_tok_old")).AssertErrorAsync(403, "Invalid session token");
        await (await app.WithToken(Mine).PostMessageAsync("session_tok_old", "hi")).AssertErrorAsync(403, "Invalid session token");
        await (await app.Anonymous().PostMessageAsync("session_tok_new", "hi")).AssertErrorAsync(403, "Invalid session token");
        Assert.Equal(0L, app.Count("web_chat_messages"));

        (await app.WithToken(Mine).PostMessageAsync("session_tok_new", "hi")).EnsureSuccessStatusCode();
        (await app.WithToken(Mine).GetAsync("/api/v1/?action=responses&session_id=session_tok_new")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_signed_in_owner_needs_no_token_and_another_user_is_refused()
    {
        using var app = new BridgeApp();
        app.AddUser("ada");
        app.AddUser("bob");
        var ada = await app.SignedInAsync("ada");
        ada.DefaultRequestHeaders.Add(SessionToken.Header, Mine);
        (await ada.PostMessageAsync("session_tok_ada", "from my laptop")).EnsureSuccessStatusCode();

        var adaElsewhere = await app.SignedInAsync("ada");
        (await adaElsewhere.GetAsync("/api/v1/?action=history&session_id=session_tok_ada")).EnsureSuccessStatusCode();
        (await adaElsewhere.PostMessageAsync("session_tok_ada", "from my phone")).EnsureSuccessStatusCode();

        var bob = await app.SignedInAsync("bob");
        await (await bob.GetAsync("/api/v1/?action=history&session_id=session_tok_ada")).AssertErrorAsync(403, "Invalid session token");
        await (await bob.PostMessageAsync("session_tok_ada", "hijack")).AssertErrorAsync(403, "Invalid session token");
    }

    [Fact]
    public async Task A_message_whose_session_was_bound_to_another_token_after_the_guard_let_it_in_is_refused_and_touches_nothing()
    {
        using var app = new BridgeApp();
        (await app.WithToken(Mine).PostMessageAsync("session_tok_race", "first")).EnsureSuccessStatusCode();
        const string ReadSession = "SELECT last_active || '/' || status FROM web_chat_sessions WHERE session_id = 'session_tok_race'";
        var before = app.Scalar(ReadSession);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        // The store as the message path reaches it when the guard found no session yet: the request's token decides there.
        var (written, refusal) = await app.Services.GetRequiredService<ISessionStore>().AddMessageAsync(
            new NewMessage("session_tok_race", "second", null, null, "127.0.0.1", "test", TokenHash: Hex(Theirs)), default);

        Assert.Null(written);
        Assert.Equal(MessageRefusal.InvalidSessionToken, refusal);
        Assert.Equal(before, app.Scalar(ReadSession));
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_tok_race'"));
    }

    [Fact]
    public async Task Signing_in_takes_over_a_bound_session_only_with_its_token()
    {
        using var app = new BridgeApp();
        var userId = app.AddUser("ada");
        (await app.WithToken(Mine).PostMessageAsync("session_tok_claim", "anonymous first")).EnsureSuccessStatusCode();

        await app.SignedInAsync("ada", "session_tok_claim");
        Assert.Null(app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_tok_claim'"));

        var browser = app.Browser();
        (await browser.PostJsonAsync("sign_in", new
        {
            username = "ada", password = SanctumAccounts.Password, sessions = new[] { new { session_id = "session_tok_claim", token = Mine } },
        })).EnsureSuccessStatusCode();
        Assert.Equal(userId, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_tok_claim'"));
    }

    [Fact]
    public async Task The_websocket_takes_the_token_as_a_subprotocol_or_a_header()
    {
        using var app = new BridgeApp();
        (await app.WithToken(Mine).PostMessageAsync("session_tok_ws", "hello")).EnsureSuccessStatusCode();
        (await app.Broca().PostReplyAsync("session_tok_ws", "hi there")).EnsureSuccessStatusCode();

        var browser = app.Server.CreateWebSocketClient();
        browser.SubProtocols.Add("chatbridge");
        browser.SubProtocols.Add("token." + Mine);
        await using (var socket = new EventSocket(await browser.ConnectAsync(EventSocket.Address("session_tok_ws"), CancellationToken.None)))
        {
            Assert.Equal("chatbridge", socket.Socket.SubProtocol);
            Assert.Equal("hi there", (await socket.NextAsync("response")).GetProperty("response").GetString());
        }

        var program = app.Server.CreateWebSocketClient();
        program.ConfigureRequest = request => request.Headers[SessionToken.Header] = Mine;
        await using (var socket = new EventSocket(await program.ConnectAsync(EventSocket.Address("session_tok_ws"), CancellationToken.None)))
        {
            Assert.Equal("hi there", (await socket.NextAsync("response")).GetProperty("response").GetString());
        }

        foreach (var token in new[] { null, Theirs })
        {
            var stranger = app.Server.CreateWebSocketClient();
            stranger.SubProtocols.Add("chatbridge");
            if (token is not null)
            {
                stranger.SubProtocols.Add("token." + token);
            }
            var refusal = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => stranger.ConnectAsync(EventSocket.Address("session_tok_ws"), CancellationToken.None));
            Assert.Contains("403", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_url_token_is_not_a_token()
    {
        using var app = new BridgeApp();
        (await app.WithToken(Mine).PostMessageAsync("session_tok_url", "hello")).EnsureSuccessStatusCode();

        await (await app.Anonymous().GetAsync($"/api/v1/?action=history&session_id=session_tok_url&token={Mine}")).AssertErrorAsync(403, "Invalid session token");
        var socket = app.Server.CreateWebSocketClient();
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            socket.ConnectAsync(new Uri($"ws://localhost/api/v1/ws?session_id=session_tok_url&token={Mine}"), CancellationToken.None));
    }

    private static string Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}

public static class SessionTokenClients
{
    /// <summary>A client that sends <c>X-Session-Token</c>, as the chat page and the widget do.</summary>
    public static HttpClient WithToken(this BridgeApp app, string token)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.TryAddWithoutValidation(SessionToken.Header, token);
        return client;
    }
}
