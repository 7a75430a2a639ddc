using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// Many conversations on the chat page: New conversation, the list (a sidebar, a drawer on a phone), switching without
/// a reload, Remove from list, sessions of an older page, and the token each new session is bound to.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ConversationListTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task New_conversation_starts_a_fresh_session_and_the_list_switches_between_them_without_a_reload()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var list = ConversationList(chat.Page);
        var first = await chat.SessionIdAsync();
        await chat.SendAsync("Where is my invoice for November?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await chat.Page.EvaluateAsync("() => { window.sameDocument = true; }");

        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-session-id", first);
        await chat.WaitUntilReadyAsync();
        var second = await chat.SessionIdAsync();
        await Expect(chat.UserMessages).ToHaveCountAsync(0);
        await Expect(chat.Input).ToBeFocusedAsync();
        await chat.SendAsync("A different question, asked in a conversation of its own that has a rather long first line");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        // Newest first, each titled by its first message (shortened), with its agent and time.
        await Expect(list.Locator(".conversation-title")).ToHaveTextAsync(
            ["A different question, asked in a conversation of its own…", "Where is my invoice for November?"]);
        await Expect(list.Locator(".conversation-meta").First).ToHaveTextAsync(new Regex(@"^Assistant · \d{1,2}:\d{2}"));
        await Expect(list.Locator("[aria-current=true] .conversation-title")).ToHaveTextAsync(new Regex("^A different question"));

        await list.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Where is my invoice") }).ClickAsync();
        await Expect(chat.Transcript).ToHaveAttributeAsync("data-session-id", first);
        await chat.WaitUntilReadyAsync();
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Where is my invoice for November?"]);
        await chat.WaitUntilLiveAsync();
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => window.sameDocument === true"), "switching reloaded the page");

        // A reply to the conversation shown arrives live, and the list keeps both.
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync(first, "It is in your account, under Billing.")).DataAsync();
        }
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["It is in your account, under Billing."]);
        await Expect(list.Locator(".conversation-title")).ToHaveTextAsync(
            ["Where is my invoice for November?", "A different question, asked in a conversation of its own…"]);
        await Screenshots.SaveAsync(chat.Page, "chat-conversations.png");

        // After a reload the list is the same and the conversation last opened opens again.
        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        Assert.Equal(first, await chat.SessionIdAsync());
        await Expect(list.Locator(".conversation-item")).ToHaveCountAsync(2);
        using var db = app.OpenDatabase();
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = @second", new { second }));
    }

    [Fact]
    public async Task Removing_a_conversation_hides_it_from_the_list_only_and_the_open_one_gives_way_to_the_next()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var list = ConversationList(chat.Page);
        var kept = await chat.SessionIdAsync();
        await chat.SendAsync("Keep this one");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-session-id", kept);
        await chat.WaitUntilReadyAsync();
        var removed = await chat.SessionIdAsync();
        await chat.SendAsync("Remove this one");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        await list.GetByRole(AriaRole.Button, new() { Name = "Remove “Remove this one” from the list" }).ClickAsync();

        await Expect(chat.Transcript).ToHaveAttributeAsync("data-session-id", kept);
        await chat.WaitUntilReadyAsync();
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Keep this one"]);
        await Expect(list.Locator(".conversation-title")).ToHaveTextAsync(["Keep this one"]);
        await Expect(chat.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true })).ToBeFocusedAsync();

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(list.Locator(".conversation-title")).ToHaveTextAsync(["Keep this one"]);
        // Hidden, not deleted: the admin still sees the conversation and its message.
        using var db = app.OpenDatabase();
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = @removed", new { removed }));
    }

    [Fact]
    public async Task Every_new_session_is_bound_to_a_token_of_its_own_sent_on_each_call_and_an_older_pages_session_keeps_working_without()
    {
        const string legacy = "session_from_an_older_page_01";
        using (var visitor = app.Anonymous())
        {
            await (await visitor.PostMessageAsync(legacy, "Written with the old page")).DataAsync();
        }
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.AddInitScriptAsync($"if (!sessionStorage.getItem('arranged')) {{ sessionStorage.setItem('arranged', '1'); localStorage.setItem('chatbridge.session.default', '{legacy}'); }}");
        var calls = new ConcurrentQueue<(string Url, string? Token)>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/v1/", StringComparison.Ordinal))
            {
                calls.Enqueue((request.Url, request.Headers.TryGetValue("x-session-token", out var token) ? token : null));
            }
        };
        var chat = new ChatPage(page);
        await chat.GotoAsync();

        // The older page's session opens as before, joins the list titled by its first message, and carries no token.
        Assert.Equal(legacy, await chat.SessionIdAsync());
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Written with the old page"]);
        await Expect(ConversationList(page).Locator(".conversation-title")).ToHaveTextAsync(["Written with the old page"]);
        await chat.SendAsync("Still works");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        Assert.All(calls.Where(c => c.Url.Contains(legacy, StringComparison.Ordinal)), c => Assert.Null(c.Token));

        // A new conversation gets 256 random bits, sent as X-Session-Token on every call for it.
        await page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-session-id", legacy);
        await chat.WaitUntilReadyAsync();
        var fresh = await chat.SessionIdAsync();
        calls.Clear();
        await chat.SendAsync("Bound to a token");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        var stored = await page.EvaluateAsync<JsonElement>("() => JSON.parse(localStorage.getItem('chatbridge.conversations'))");
        var token = stored.EnumerateArray().Single(e => e.GetProperty("id").GetString() == fresh).GetProperty("token").GetString();
        Assert.Matches(TokenPattern(), token);
        Assert.Contains(calls, c => c.Url.Contains("action=messages", StringComparison.Ordinal) && c.Token == token);
        Assert.DoesNotContain(calls, c => c.Url.Contains(token!, StringComparison.Ordinal));
        await page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        Assert.Equal(fresh, await chat.SessionIdAsync());
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Bound to a token"]);
        // Its socket offered the token as a subprotocol and is live; without the token the server refuses the session.
        await chat.WaitUntilLiveAsync();
        using var stranger = app.Anonymous();
        await (await stranger.GetAsync($"/api/v1/?action=history&session_id={fresh}")).AssertErrorAsync(403, "Invalid session token");
        using var owner = app.Anonymous();
        owner.DefaultRequestHeaders.Add("X-Session-Token", token);
        var history = await (await owner.GetAsync($"/api/v1/?action=history&session_id={fresh}")).DataAsync();
        Assert.Equal("Bound to a token", history.GetProperty("messages")[0].GetProperty("message").GetString());
        await (await stranger.GetAsync($"/api/v1/?action=history&session_id={legacy}")).DataAsync();
    }

    [Fact]
    public async Task A_send_that_fails_on_the_way_is_retried_with_the_same_client_message_id_and_stored_once()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Clock.InstallAsync();
        var bodies = new ConcurrentQueue<JsonElement>();
        var failures = 2;
        await page.RouteAsync(MessagesPost(), async route =>
        {
            bodies.Enqueue(JsonDocument.Parse(route.Request.PostData!).RootElement.Clone());
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                // The message reaches the server, the answer is lost on the way back: the retry must not store it again.
                await route.FetchAsync();
                await route.FulfillAsync(new() { Status = 503, ContentType = "application/json", Body = """{"success":false,"error":"Service busy, retry shortly","code":503}""" });
                return;
            }
            await route.ContinueAsync();
        });
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        var session = await chat.SessionIdAsync();

        await chat.SendAsync("Only once, please");
        var mine = chat.UserMessages.Last;
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Retrying…");
        await Expect(mine).ToHaveAttributeAsync("data-tries", "1");
        await page.Clock.RunForAsync(1_000);
        await Expect(mine).ToHaveAttributeAsync("data-tries", "2");
        await page.Clock.RunForAsync(2_000);
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");

        var ids = bodies.Select(b => b.GetProperty("client_message_id").GetString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Single(ids.Distinct());
        Assert.Matches(UuidPattern(), ids[0]);
        using var db = app.OpenDatabase();
        Assert.Equal(1, await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM web_chat_messages WHERE session_id = @session AND message = 'Only once, please'", new { session }));
        await Expect(chat.UserMessages).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task On_a_phone_the_list_is_a_drawer_opened_from_the_header_and_has_no_serious_axe_findings()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 760, bypassCsp: true));
        await chat.GotoAsync();
        var first = await chat.SessionIdAsync();
        await chat.SendAsync("My first question on the phone");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        var list = ConversationList(chat.Page);
        var toggle = chat.Page.Locator("#conversations-toggle");
        await Expect(list).ToBeHiddenAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        await toggle.ClickAsync();
        await Expect(list).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(chat.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true })).ToBeFocusedAsync();
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the conversation drawer on a phone");
        await Screenshots.SaveAsync(chat.Page, "chat-conversations-phone.png");

        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(list).ToBeHiddenAsync();
        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-session-id", first);
        await chat.WaitUntilReadyAsync();

        await toggle.ClickAsync();
        await chat.Page.Keyboard.PressAsync("Escape");
        await Expect(list).ToBeHiddenAsync();
        await Expect(toggle).ToBeFocusedAsync();

        await toggle.ClickAsync();
        await list.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^My first question on the phone") }).ClickAsync();
        await Expect(list).ToBeHiddenAsync();
        await Expect(chat.Transcript).ToHaveAttributeAsync("data-session-id", first);
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["My first question on the phone"]);
        await Expect(chat.Input).ToBeInViewportAsync(new() { Ratio = 1 });
    }

    [Fact]
    public async Task In_Arabic_the_list_stands_on_the_right_of_the_chat_and_the_page_has_no_serious_axe_findings()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1100, height: 700, bypassCsp: true);
        await page.GotoAsync("/?locale=ar");
        var chat = new ChatPage(page);
        await chat.WaitUntilReadyAsync();
        await page.Locator("#message-input").FillAsync("مرحبا، أين فاتورتي؟");
        await page.Locator("#message-input").PressAsync("Enter");
        await Expect(chat.UserMessages).ToHaveCountAsync(1);
        await page.Locator("#new-conversation").ClickAsync();
        await Expect(page.Locator(".conversation-item")).ToHaveCountAsync(2);

        var aside = await page.Locator("#conversations").BoundingBoxAsync();
        var transcript = await chat.Transcript.BoundingBoxAsync();
        Assert.True(aside!.X > transcript!.X, $"the list ({aside.X}) should stand right of the transcript ({transcript.X})");
        await Expect(page.Locator("#new-conversation")).ToHaveTextAsync("محادثة جديدة");
        await AxeScan.AssertNoSeriousFindingsAsync(page, "the Arabic chat with its list");
    }

    private static ILocator ConversationList(IPage page) => page.GetByRole(AriaRole.Complementary, new() { Name = "Conversations" });

    [GeneratedRegex("action=messages")]
    private static partial Regex MessagesPost();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();
}
