using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class ChatPageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private const string Markup = "<img src=x onerror=window.__xss=1>";

    [Fact]
    public async Task Sent_message_moves_through_its_delivery_states_and_the_reply_appears_once()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var session = await chat.SessionIdAsync();

        await chat.SendAsync("Hello bridge");
        var mine = chat.UserMessages.Last;
        await Expect(mine.Locator(".bubble-text")).ToHaveTextAsync("Hello bridge");
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        await Expect(chat.Input).ToHaveValueAsync("");

        using var broca = app.Broca();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Delivered");

        await (await broca.PostReplyAsync(session, "Hi from Broca")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Hi from Broca"]);
        await Expect(chat.AgentMessages.Locator(".message-author")).ToHaveTextAsync(["Assistant"]);
        await Expect(chat.AgentMessages.Locator("time")).ToHaveTextAsync([new Regex(@"\d{1,2}:\d{2}")]);
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Answered");

        // The socket keeps its order: a repeat of the first reply would reach the page before a second one sent now.
        await (await broca.PostReplyAsync(session, "Anything else?")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Hi from Broca", "Anything else?"]);
        await Expect(chat.UserMessages).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Reload_keeps_the_session_and_shows_the_whole_conversation()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();

        await chat.SendAsync("Hi! What does ChatBridge do?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await (await broca.PostReplyAsync(session, "It carries your messages to Broca and brings the agent's replies back to this page.")).DataAsync();
        await Expect(chat.AgentMessages).ToHaveCountAsync(1);
        await chat.SendAsync("Nice.\nAnd if I reload the page?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await (await broca.PostReplyAsync(session, "You keep the same session, and the whole conversation comes back.")).DataAsync();
        await Expect(chat.AgentMessages).ToHaveCountAsync(2);

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();

        Assert.Equal(session, await chat.SessionIdAsync());
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Hi! What does ChatBridge do?", "Nice.\nAnd if I reload the page?"]);
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync([
            "It carries your messages to Broca and brings the agent's replies back to this page.",
            "You keep the same session, and the whole conversation comes back.",
        ]);
        await Expect(chat.UserMessages.Locator(".message-status")).ToHaveTextAsync(["Answered", "Answered"]);
        // The socket's replay must not repeat replies already in the history: it would come before one sent now.
        await (await broca.PostReplyAsync(session, "Welcome back.")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync([
            "It carries your messages to Broca and brings the agent's replies back to this page.",
            "You keep the same session, and the whole conversation comes back.",
            "Welcome back.",
        ]);

        await chat.SendAsync("Great, thanks!");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await Screenshots.SaveAsync(chat.Page, "chat.png");
    }

    [Fact]
    public async Task Markup_in_a_message_and_a_reply_is_shown_as_text_and_never_runs()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var session = await chat.SessionIdAsync();

        await chat.SendAsync(Markup);
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        await (await broca.PostReplyAsync(session, Markup)).DataAsync();

        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync([Markup]);
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync([Markup]);
        await Expect(chat.Page.Locator("img")).ToHaveCountAsync(0);
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => window.__xss === undefined"));

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync([Markup]);
        await Expect(chat.Page.Locator("img")).ToHaveCountAsync(0);
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => window.__xss === undefined"));
    }

    [Fact]
    public async Task Refused_message_shows_the_servers_error_and_the_composer_recovers()
    {
        using var admin = app.Admin();
        await (await admin.PostJsonAsync("config", new { max_message_length = 20 })).DataAsync();
        try
        {
            var chat = await ChatPage.OpenAsync(Browser, app);

            await chat.SendAsync("This message is longer than twenty characters");

            var refused = chat.UserMessages.First;
            await Expect(chat.Error).ToHaveTextAsync("The server refused the message: Invalid message");
            await Expect(chat.StatusOf(refused)).ToHaveTextAsync("Not sent");
            await Expect(refused.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
            await Expect(chat.SendButton).ToBeEnabledAsync();

            await chat.SendAsync("Short one");
            await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
            await Expect(chat.Error).ToBeHiddenAsync();
            await Expect(chat.StatusOf(refused)).ToHaveTextAsync("Not sent");
        }
        finally
        {
            await (await admin.PostJsonAsync("config", new { max_message_length = 10000 })).DataAsync();
        }
    }

    [Fact]
    public async Task Unreachable_server_is_reported_and_the_failed_message_can_be_retried()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        // The page tries a failed send again by itself, 1, 2, 4 and 8 s later: the clock runs through the waits.
        await page.Clock.InstallAsync();
        var down = false;
        var sockets = new System.Collections.Concurrent.ConcurrentQueue<Microsoft.Playwright.IWebSocketRoute>();
        await page.Context.RouteWebSocketAsync("**/api/v1/ws**", socket =>
        {
            if (Volatile.Read(ref down))
            {
                _ = socket.CloseAsync(new() { Code = 1011 });
                return;
            }
            socket.ConnectToServer();
            sockets.Enqueue(socket);
        });
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        // The server goes away: requests fail, the live socket drops and new ones are refused.
        Volatile.Write(ref down, true);
        await chat.Page.Context.RouteAsync("**/api/v1/**", route => route.AbortAsync());
        foreach (var socket in sockets)
        {
            await socket.CloseAsync(new() { Code = 1011 });
        }

        await chat.SendAsync("Are you there?");

        var failed = chat.UserMessages.First;
        await Expect(chat.StatusOf(failed)).ToHaveTextAsync("Retrying…");
        await Expect(failed).ToHaveAttributeAsync("data-tries", "1");
        // Each run of the clock lets at least the next try fail (a fast failure may let two go within one run).
        for (var run = 0; run < 6 && await failed.GetAttributeAsync("data-status") != "failed"; run++)
        {
            var before = await failed.GetAttributeAsync("data-tries");
            await page.Clock.RunForAsync(8_000);
            await Expect(page.Locator($".message-user[data-status='failed'], .message-user:not([data-tries='{before}'])")).ToHaveCountAsync(1);
        }
        await Expect(failed).ToHaveAttributeAsync("data-tries", "4");
        await Expect(chat.StatusOf(failed)).ToHaveTextAsync("Not sent");
        await Expect(chat.Error).ToContainTextAsync("Can't reach the server");
        await Expect(chat.ConnectionBanner).ToContainTextAsync("Can't reach the server, retrying");

        await chat.Page.Context.UnrouteAsync("**/api/v1/**");
        Volatile.Write(ref down, false);
        await failed.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(chat.StatusOf(failed)).ToHaveTextAsync("Sent");
        await Expect(chat.Error).ToBeHiddenAsync();
        // The transport's own reconnect waits (up to 30 s after that many failures) run out.
        await page.Clock.RunForAsync(31_000);
        await Expect(chat.ConnectionBanner).ToBeHiddenAsync();
        await Expect(chat.UserMessages).ToHaveCountAsync(1);

        await chat.SendAsync("Back again");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
    }

    [Fact]
    public async Task Chat_page_fits_a_narrow_phone_screen()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 360, height: 640));
        await chat.GotoAsync();

        await chat.SendAsync("A long message, to see that bubbles wrap instead of pushing the page sideways on a phone: https://example.com/a/very/long/path/without/any/spaces");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await Expect(chat.SendButton).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(chat.Input).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(chat.Page.Locator("#agent-select")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Screenshots.SaveAsync(chat.Page, "chat-phone.png");
    }

    [Fact]
    public async Task Composer_adds_a_line_on_Shift_Enter_and_shows_a_spinner_while_sending()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var release = new TaskCompletionSource();
        await chat.Page.RouteAsync("**/api/v1/?action=messages", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });

        await chat.Input.PressSequentiallyAsync("first line");
        await chat.Input.PressAsync("Shift+Enter");
        await chat.Input.PressSequentiallyAsync("second line");
        await Expect(chat.Input).ToHaveValueAsync("first line\nsecond line");
        await Expect(chat.UserMessages).ToHaveCountAsync(0);

        await chat.Input.PressAsync("Enter");
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["first line\nsecond line"]);
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sending…");
        await Expect(chat.SendButton).ToBeDisabledAsync();
        await Expect(chat.Page.Locator("#send-spinner")).ToBeVisibleAsync();

        release.SetResult();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await Expect(chat.SendButton).ToBeEnabledAsync();
        await Expect(chat.Page.Locator("#send-spinner")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task New_reply_while_scrolled_up_offers_a_jump_to_the_latest()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 800, height: 500));
        await chat.GotoAsync();
        // The session exists once the page's socket is open; a reply before that is refused as for an unknown session.
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();
        for (var i = 1; i <= 12; i++)
        {
            await (await broca.PostReplyAsync(session, $"Reply number {i}")).DataAsync();
        }
        await Expect(chat.AgentMessages).ToHaveCountAsync(12);
        var jump = chat.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Jump to latest" });
        await Expect(jump).ToBeHiddenAsync();

        await chat.Transcript.EvaluateAsync("t => { t.scrollTop = 0; }");
        await (await broca.PostReplyAsync(session, "One more")).DataAsync();
        await Expect(chat.AgentMessages).ToHaveCountAsync(13);
        await Expect(jump).ToBeVisibleAsync();
        await Expect(chat.AgentMessages.Last).Not.ToBeInViewportAsync();

        await jump.ClickAsync();
        await Expect(chat.AgentMessages.Last).ToBeInViewportAsync();
        await Expect(jump).ToBeHiddenAsync();
    }
}
