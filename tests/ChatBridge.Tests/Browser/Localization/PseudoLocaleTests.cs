using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Localization;

/// <summary>
/// Every page and state rendered in the pseudo-locale (?locale=en-XA, every catalogue text wrapped in ⟦…⟧): a text a
/// person reads that is not wrapped was written into the page or a script instead of the catalogue.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class PseudoLocaleTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private const string Reply = """
        Your order **left the warehouse** today.

        | Step | When |
        |:-----|-----:|
        | Packed | 09:00 |

        ![parcel](https://example.com/parcel.png)

        ```bash
        curl https://example.com/track/42
        ```
        """;

    [Fact]
    public async Task Every_text_of_the_chat_page_comes_from_the_catalogue()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl));
        await chat.Page.GotoAsync("/?locale=en-XA");
        await chat.WaitUntilReadyAsync();
        await chat.WaitUntilLiveAsync();
        await Expect(chat.Page.Locator("#send-label")).ToHaveTextAsync("⟦Send⟧");
        await Untranslated.AssertNoneAsync(chat.Page, "the empty chat");

        var session = await chat.SessionIdAsync();
        await chat.Page.GetByLabel("⟦Message⟧").FillAsync("Where is my parcel?");
        await chat.Page.GetByLabel("⟦Message⟧").PressAsync("Enter");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("⟦Sent⟧");
        using var broca = app.Broca();
        await (await broca.PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        await Expect(chat.TypingIndicator).ToBeVisibleAsync();
        await Untranslated.AssertNoneAsync(chat.Page, "the chat while the agent types");

        await (await broca.PostReplyAsync(session, Reply)).DataAsync();
        await Expect(chat.AgentMessages.Locator(".code-block")).ToBeVisibleAsync();
        await Untranslated.AssertNoneAsync(chat.Page, "a chat with a Markdown reply");

        await chat.Page.RouteAsync("**/api/v1/?action=messages", route => route.FulfillAsync(new()
        {
            Status = 400,
            ContentType = "application/json",
            Body = """{"success":false,"error":"Invalid message","code":400,"timestamp":"2026-12-01T10:00:00.000Z"}""",
        }), new() { Times = 1 });
        await chat.Page.GetByLabel("⟦Message⟧").FillAsync("This one is refused");
        await chat.Page.GetByLabel("⟦Message⟧").PressAsync("Enter");
        await Expect(chat.Error).ToHaveTextAsync("⟦The server refused the message: ⟦Invalid message⟧⟧");
        await Untranslated.AssertNoneAsync(chat.Page, "a refused message with its Retry button");
    }

    [Fact]
    public async Task Every_text_of_the_admin_console_comes_from_the_catalogue_with_every_control_filled()
    {
        await ArrangeSessionsAsync("session_pseudo");
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await page.GotoAsync("/admin?locale=en-XA");
        await Expect(page.GetByLabel("⟦Admin key⟧")).ToBeVisibleAsync();
        await Untranslated.AssertNoneAsync(page, "the admin sign-in");

        await page.GetByLabel("⟦Admin key⟧").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "⟦Sign in⟧" }).ClickAsync();
        await Expect(page.Locator("#sessions-body tr")).ToHaveCountAsync(20);
        await Expect(page.Locator("#next-page")).ToBeEnabledAsync();
        await Expect(page.Locator("#backlog-list .backlog-item").First).ToBeVisibleAsync();
        await page.Locator("tr[data-session-id='session_pseudo_00']").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#admin-transcript .message-agent")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "⟦Show api_key⟧" }).ClickAsync();
        foreach (var summary in await page.Locator("#service-stats summary").AllAsync())
        {
            await summary.ClickAsync();
        }
        await Expect(page.Locator("#table-latency tbody tr").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "⟦Save settings⟧" }).ClickAsync();
        await Expect(page.Locator("#admin-notice")).ToHaveTextAsync("⟦Nothing changed.⟧");
        await Untranslated.AssertNoneAsync(page, "the signed-in admin console");

        await page.Locator("#next-page").ClickAsync();
        await Expect(page.Locator("#prev-page")).ToBeEnabledAsync();
        await page.GetByLabel("⟦Search⟧").FillAsync("no session has this text");
        await Expect(page.Locator("#sessions-body")).ToHaveTextAsync("⟦No sessions match.⟧");
        await Untranslated.AssertNoneAsync(page, "an empty search");
    }

    [Fact]
    public async Task Every_text_of_the_widget_demo_and_its_panel_comes_from_the_catalogue()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.GotoAsync("/widget/demo?locale=en-XA");
        var launcher = page.Locator("[data-sanctum-chat] .launcher");
        await Expect(launcher).ToHaveAccessibleNameAsync("⟦Open chat⟧");
        await Untranslated.AssertNoneAsync(page, "the widget demo");

        await launcher.ClickAsync();
        var panel = page.FrameLocator("[data-sanctum-chat] iframe");
        await Expect(panel.Locator("#transcript")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(panel.Locator("#connection-state")).ToHaveAttributeAsync("data-state", "live");
        var frame = await (await page.Locator("[data-sanctum-chat] iframe").ElementHandleAsync()).ContentFrameAsync();
        Assert.NotNull(frame);
        await Untranslated.AssertNoneAsync(frame, "the widget's panel");
        await Untranslated.AssertNoneAsync(page, "the demo with the panel open");
    }

    /// <summary>25 sessions, so the pager shows; the first answered, the others waiting in the backlog.</summary>
    private async Task ArrangeSessionsAsync(string prefix)
    {
        using var user = app.Anonymous();
        using var broca = app.Broca();
        for (var i = 0; i < 25; i++)
        {
            await (await user.PostMessageAsync($"{prefix}_{i:00}", $"Question number {i}")).DataAsync();
        }
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=1&offset=0")).DataAsync();
        await (await broca.PostReplyAsync($"{prefix}_00", Reply)).DataAsync();
    }
}
