using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class UnreadAlertsTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    // Records what the page asks of the Notification API instead of showing anything.
    private const string FakeNotifications = """
        window.__asked = 0;
        window.__notes = [];
        window.Notification = class {
            static permission = 'default';
            static requestPermission() {
                window.__asked += 1;
                window.Notification.permission = 'granted';
                return Promise.resolve('granted');
            }
            constructor(title, options) { window.__notes.push({ title, body: options.body }); }
            addEventListener() {}
            close() {}
        };
        """;

    [Fact]
    public async Task Replies_while_the_tab_is_hidden_are_counted_in_the_title_until_it_is_shown_again()
    {
        app.AddAgent("Athena");
        var chat = await OpenAsync();
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();
        await Expect(chat.Page).ToHaveTitleAsync("Athena — Sanctum Chat");

        await (await broca.PostReplyAsync(session, "Seen at once")).DataAsync();
        await Expect(chat.AgentMessages).ToHaveCountAsync(1);
        await Expect(chat.Page).ToHaveTitleAsync("Athena — Sanctum Chat");

        await SetVisibilityAsync(chat.Page, "hidden");
        await (await broca.PostReplyAsync(session, "First while away")).DataAsync();
        await Expect(chat.Page).ToHaveTitleAsync("(1) Athena — Sanctum Chat");
        await (await broca.PostReplyAsync(session, "Second while away")).DataAsync();
        await Expect(chat.Page).ToHaveTitleAsync("(2) Athena — Sanctum Chat");

        await SetVisibilityAsync(chat.Page, "visible");
        await Expect(chat.Page).ToHaveTitleAsync("Athena — Sanctum Chat");
        await Expect(chat.AgentMessages).ToHaveCountAsync(3);
        // Alerts are off by default: nothing asked, nothing shown.
        Assert.Equal(0, await chat.Page.EvaluateAsync<int>("() => window.__asked"));
        Assert.Equal(0, await chat.Page.EvaluateAsync<int>("() => window.__notes.length"));
    }

    [Fact]
    public async Task Notifications_are_asked_for_on_the_toggle_and_shown_only_while_switched_on()
    {
        var chat = await OpenAsync();
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();
        // Another test may have added an agent to this class's bridge: whichever is first is the one shown.
        var agent = await chat.Page.Locator("#agent-name").TextContentAsync();
        var toggle = chat.Page.GetByRole(AriaRole.Button, new() { Name = "Sound and notifications" });
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(0, await chat.Page.EvaluateAsync<int>("() => window.__asked"));

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(1, await chat.Page.EvaluateAsync<int>("() => window.__asked"));

        await SetVisibilityAsync(chat.Page, "hidden");
        await (await broca.PostReplyAsync(session, "Your report is ready.")).DataAsync();
        await Expect(chat.Page).ToHaveTitleAsync($"(1) {agent} — Sanctum Chat");
        Assert.Equal($"{agent}|Your report is ready.", await chat.Page.EvaluateAsync<string>(
            "() => window.__notes.map(n => `${n.title}|${n.body}`).join()"));

        await SetVisibilityAsync(chat.Page, "visible");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await SetVisibilityAsync(chat.Page, "hidden");
        await (await broca.PostReplyAsync(session, "No alert for this one.")).DataAsync();
        await Expect(chat.Page).ToHaveTitleAsync($"(1) {agent} — Sanctum Chat");
        Assert.Equal(1, await chat.Page.EvaluateAsync<int>("() => window.__notes.length"));

        // The choice is remembered.
        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
    }

    private async Task<ChatPage> OpenAsync()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.AddInitScriptAsync(FakeNotifications);
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        // Replies for a session are accepted once the page's socket has opened it.
        await chat.WaitUntilLiveAsync();
        return chat;
    }

    /// <summary>Headless Chromium never hides a tab: the test overrides the state and announces the change.</summary>
    private static Task SetVisibilityAsync(IPage page, string visibility) => page.EvaluateAsync("""
        visibility => {
            Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
            Object.defineProperty(document, 'hidden', { configurable: true, get: () => visibility === 'hidden' });
            document.dispatchEvent(new Event('visibilitychange'));
        }
        """, visibility);
}
