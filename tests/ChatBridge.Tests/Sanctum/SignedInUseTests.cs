using System.Net.Http.Headers;

namespace ChatBridge.Tests.Sanctum;

/// <summary>What a sign-in changes: conversations that belong to a person, admin by role, a private host, no forgery.</summary>
public sealed class SignedInUseTests
{
    [Fact]
    public async Task A_signed_in_users_conversations_carry_their_id_and_come_back_on_another_browser_newest_first()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada");
        var athena = app.AddAgent("Athena");
        var laptop = await app.SignedInAsync("ada");
        (await laptop.PostJsonAsync("messages", new { session_id = "session_ada_first", message = "First question", agent_id = athena })).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        (await laptop.PostMessageAsync("session_ada_second", "Second question")).EnsureSuccessStatusCode();
        (await app.Broca().GetAsync("/api/v1/?action=inbox")).EnsureSuccessStatusCode();
        (await app.Broca().PostReplyAsync("session_ada_first", "First answer")).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        (await app.Broca().PostReplyAsync("session_ada_second", "Second answer")).EnsureSuccessStatusCode();

        var phone = await app.SignedInAsync("ada");
        var list = await phone.MySessionsAsync();

        Assert.Equal(ada, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_ada_first'"));
        var sessions = list.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(["session_ada_second", "session_ada_first"], sessions.Select(s => s.GetProperty("session_id").GetString()));
        Assert.Equal("Athena", sessions[1].GetProperty("agent_name").GetString());
        Assert.Equal(athena, sessions[1].GetProperty("agent_id").GetInt64());
        Assert.Equal("First question", sessions[1].GetProperty("title").GetString());
        Assert.Equal("First answer", sessions[1].GetProperty("last_message").GetString());
        Assert.Equal(2, list.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Anonymous_conversations_this_browser_started_become_the_users_at_sign_in_and_no_one_elses()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada");
        var bob = app.AddUser("bob");
        var browser = app.Browser();
        (await browser.PostMessageAsync("session_before_sign_in", "hello")).EnsureSuccessStatusCode();
        (await (await app.SignedInAsync("bob")).PostMessageAsync("session_bobs", "mine")).EnsureSuccessStatusCode();

        (await browser.PostJsonAsync("sign_in", new { username = "ada", password = SanctumAccounts.Password, sessions = new[] { "session_before_sign_in", "session_bobs", "not a session" } }))
            .EnsureSuccessStatusCode();

        Assert.Equal(ada, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_before_sign_in'"));
        Assert.Equal(bob, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_bobs'"));
        Assert.Equal(["session_before_sign_in"], (await browser.MySessionsAsync()).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("session_id").GetString()));
    }

    [Fact]
    public async Task A_cookie_alone_on_a_post_without_the_pages_header_acts_as_no_one()
    {
        using var app = new BridgeApp();
        app.AddUser("ada");
        var browser = await app.SignedInAsync("ada");
        browser.DefaultRequestHeaders.Remove("X-Requested-With");

        // What a form on another site could send with the user's cookie: it is taken as an anonymous visitor's.
        (await browser.PostMessageAsync("session_forged", "sent by a form elsewhere")).EnsureSuccessStatusCode();
        await (await browser.PostJsonAsync("sign_out", new { })).DataAsync();

        Assert.Null(app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = 'session_forged'"));
        Assert.Equal(1L, app.Count("user_sessions"));
        await (await browser.GetAsync("/api/v1/?action=me")).DataAsync();
    }

    [Fact]
    public async Task No_answer_lets_another_origin_send_credentials()
    {
        using var app = new BridgeApp();
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/?action=messages");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, x-requested-with, x-sanctum-session");
        var signIn = new HttpRequestMessage(HttpMethod.Post, "/api/v1/?action=sign_in") { Content = new StringContent("{}", MediaTypeHeaderValue.Parse("application/json")) };
        signIn.Headers.Add("Origin", "https://evil.example");

        var preflightAnswer = await app.Anonymous().SendAsync(preflight);
        var signInAnswer = await app.Anonymous().SendAsync(signIn);
        var messages = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/?action=agents") { Headers = { { "Origin", "https://evil.example" } } });

        foreach (var answer in new[] { preflightAnswer, signInAnswer, messages })
        {
            Assert.False(answer.Headers.Contains("Access-Control-Allow-Credentials"));
        }
        Assert.DoesNotContain("x-sanctum-session", string.Join(',', preflightAnswer.Headers.TryGetValues("Access-Control-Allow-Headers", out var h) ? h : []), StringComparison.OrdinalIgnoreCase);
        Assert.False(signInAnswer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_admin_account_opens_the_admin_actions_and_sees_each_sessions_user_while_a_user_account_does_not()
    {
        using var app = new BridgeApp();
        app.AddUser("root", role: "admin");
        app.AddUser("ada");
        var ada = await app.SignedInAsync("ada");
        (await ada.PostMessageAsync("session_ada", "hello")).EnsureSuccessStatusCode();

        var admin = await app.SignedInAsync("root");
        var sessions = await (await admin.GetAsync("/api/v1/?action=sessions")).DataAsync();
        var refused = await ada.GetAsync("/api/v1/?action=sessions");
        var anonymous = await app.Anonymous().GetAsync("/api/v1/?action=sessions");
        var reply = await admin.PostJsonAsync("reply", new { session_id = "session_ada", response = "A person here" });

        var session = Assert.Single(sessions.GetProperty("sessions").EnumerateArray());
        Assert.Equal("ada", session.GetProperty("username").GetString());
        await refused.AssertErrorAsync(403, "Admin access required");
        await anonymous.AssertErrorAsync(401, "Authentication required");
        await reply.DataAsync();
    }

    [Fact]
    public async Task An_admin_accounts_cookie_does_not_open_admin_writes_without_the_pages_header()
    {
        using var app = new BridgeApp();
        app.AddUser("root", role: "admin");
        var admin = await app.SignedInAsync("root");
        admin.DefaultRequestHeaders.Remove("X-Requested-With");

        await (await admin.PostJsonAsync("clear_data", new { })).AssertErrorAsync(401, "Authentication required");
    }

    [Fact]
    public async Task A_user_role_called_broca_or_admin_key_opens_nothing_of_brocas()
    {
        using var app = new BridgeApp();
        app.AddUser("sneaky", role: "broca");
        var sneaky = await app.SignedInAsync("sneaky");

        await (await sneaky.GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Authentication required");
    }

    [Fact]
    public async Task A_private_host_refuses_anonymous_use_of_every_public_action_and_serves_the_signed_in()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Chat:RequireSignIn"] = "true" } };
        app.AddUser("ada");
        app.AddAgent("Athena");
        var anonymous = app.Anonymous();

        foreach (var refused in new[]
        {
            await anonymous.GetAsync("/api/v1/?action=agents"),
            await anonymous.PostMessageAsync("session_private", "hello"),
            await anonymous.GetAsync("/api/v1/?action=responses&session_id=session_private"),
            await anonymous.GetAsync("/api/v1/?action=history&session_id=session_private"),
            await anonymous.GetAsync("/api/v1/ws?session_id=session_private"),
            // Who may ask comes before what was asked: a body refused as well is still a 401.
            await anonymous.PostRawAsync("messages", "not json"),
            await anonymous.PostRawAsync("feedback", "{}"),
            await anonymous.PostRawAsync("hide_session", "[]"),
        })
        {
            await refused.AssertErrorAsync(401, "Authentication required");
        }
        var ada = await app.SignedInAsync("ada");
        await (await ada.GetAsync("/api/v1/?action=agents")).DataAsync();
        await (await ada.PostMessageAsync("session_private", "hello")).DataAsync();
        Assert.Equal(0L, app.Count("web_chat_messages") - 1);
    }

    [Fact]
    public async Task By_default_anonymous_visitors_chat()
    {
        using var app = new BridgeApp();

        await (await app.Anonymous().PostMessageAsync("session_public", "hello")).DataAsync();
    }
}
