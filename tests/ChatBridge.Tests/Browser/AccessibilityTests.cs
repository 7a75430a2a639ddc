using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// axe-core scans of every page and state: no critical or serious finding. The pages' Content-Security-Policy
/// refuses inline script, which is how Playwright injects axe, so only these contexts bypass the policy; every
/// other browser test runs under it.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    // A reply like an agent's: a table, a list, a quote, a link and code; also what the screenshots show.
    private const string Showcase = """
        Here are the **two plans** side by side:

        | Plan | Seats | Price per month |
        |:-----|------:|----------------:|
        | Starter | 3 | 9 € |
        | Team | 10 | 29 € |

        - *Starter* suits a small team
        - *Team* adds shared inboxes and an audit log

        > Prices exclude VAT. Details on the [pricing page](https://example.com/pricing).

        To switch plans from a script:

        ```bash
        curl -X POST https://example.com/api/plan -H "Authorization: Bearer $TOKEN" -d '{"plan": "team", "seats": 10}'
        ```
        """;

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task Chat_page_has_no_serious_findings_empty_and_with_a_Markdown_conversation(ColorScheme scheme)
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 1024, height: 820, colorScheme: scheme, bypassCsp: true));
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, $"the empty chat ({scheme})");

        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Which plan should we take, and how do I switch?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        await (await broca.PostReplyAsync(session, Showcase)).DataAsync();
        await Expect(chat.AgentMessages.Locator(".code-block")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(chat.Page, scheme == ColorScheme.Dark ? "chat-dark.png" : "chat-markdown.png");
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, $"a chat with a Markdown reply ({scheme})");
    }

    [Fact]
    public async Task Pages_on_a_phone_have_no_serious_findings()
    {
        const string session = "session_axe_phone";
        using (var user = app.Anonymous())
        using (var broca = app.Broca())
        {
            await (await user.PostMessageAsync(session, "Does this work on a phone?")).DataAsync();
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync(session, Showcase)).DataAsync();
        }
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 844, bypassCsp: true);
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var row = page.Locator($"tr[data-session-id='{session}']");
        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#admin-transcript .code-block")).ToBeVisibleAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(page, "the admin page on a phone");

        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.SendAsync("And the chat?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await AxeScan.AssertNoSeriousFindingsAsync(page, "the chat on a phone");
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task Admin_page_has_no_serious_findings_at_sign_in_with_sessions_and_with_a_transcript(ColorScheme scheme)
    {
        var session = $"session_axe_{scheme.ToString().ToLowerInvariant()}";
        using (var user = app.Anonymous())
        using (var broca = app.Broca())
        {
            await (await user.PostMessageAsync(session, "Where is my order?")).DataAsync();
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync(session, "It left the warehouse **today**:\n\n| Step | When |\n|---|---|\n| Packed | 09:00 |")).DataAsync();
        }
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900, colorScheme: scheme, bypassCsp: true);
        await page.GotoAsync("/admin");
        await Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(page, $"the admin sign-in ({scheme})");

        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var row = page.Locator($"tr[data-session-id='{session}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.GetByLabel("API key (Broca)")).ToBeVisibleAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(page, $"the admin session list ({scheme})");

        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#admin-transcript table")).ToBeVisibleAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(page, $"an open transcript ({scheme})");
    }
}
