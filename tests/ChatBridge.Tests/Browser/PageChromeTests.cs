using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>What every page shares: the theme, the favicon and title, landmarks, and a clean console.</summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class PageChromeTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/admin")]
    public async Task Theme_follows_the_system_setting(string path)
    {
        var dark = await Browser.NewPageAsync(app.BaseUrl, colorScheme: ColorScheme.Dark);
        await dark.GotoAsync(path);
        await Expect(dark.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "dark");
        await Expect(dark.Locator("body")).ToHaveCSSAsync("color", "rgb(222, 226, 230)");
        await Expect(ThemeToggle(dark)).ToHaveAttributeAsync("aria-pressed", "true");

        var light = await Browser.NewPageAsync(app.BaseUrl, colorScheme: ColorScheme.Light);
        await light.GotoAsync(path);
        await Expect(light.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "light");
        await Expect(light.Locator("body")).ToHaveCSSAsync("color", "rgb(33, 37, 41)");
        await Expect(ThemeToggle(light)).ToHaveAttributeAsync("aria-pressed", "false");

        // While no choice is stored, a change of the system setting is followed at once.
        await light.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await Expect(light.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "dark");
    }

    [Fact]
    public async Task Theme_toggle_overrides_the_system_setting_and_is_remembered_across_reloads_and_pages()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var html = chat.Page.Locator("html");
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");

        await ThemeToggle(chat.Page).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "dark");
        await Expect(ThemeToggle(chat.Page)).ToHaveAttributeAsync("aria-pressed", "true");

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "dark");
        // The stored choice wins over the system's light setting, on the admin page too.
        await chat.Page.GotoAsync("/admin");
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "dark");

        await ThemeToggle(chat.Page).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");
        await chat.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await chat.Page.ReloadAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");
    }

    [Theory]
    [InlineData("/", "Assistant — Sanctum Chat")]
    [InlineData("/admin", "Admin — Sanctum Chat")]
    public async Task Page_loads_with_favicon_title_landmarks_and_no_console_error_or_failed_request(string path, string title)
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => problems.Enqueue($"failed: {request.Url} {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"HTTP {response.Status}: {response.Url}");
            }
        };

        await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(page).ToHaveTitleAsync(title);
        var iconLink = page.Locator("link[rel=icon]");
        await Expect(iconLink).ToHaveAttributeAsync("href", "favicon.svg");
        // Fetched the way the tab strip would: the headless shell has no tab strip and never asks for the icon.
        var iconUrl = await iconLink.EvaluateAsync<string>("link => link.href");
        var icon = await page.Context.APIRequest.GetAsync(iconUrl);
        Assert.Equal(200, icon.Status);
        Assert.Equal("image/svg+xml", icon.Headers["content-type"]);
        await Expect(page.Locator("main")).ToHaveCountAsync(1);
        await Expect(page.Locator("h1")).ToHaveCountAsync(1);

        if (path == "/")
        {
            // A reply with a table and code: no style attribute or script the Content-Security-Policy would refuse.
            var chat = new ChatPage(page);
            await chat.WaitUntilLiveAsync();
            using var broca = app.Broca();
            await (await broca.PostReplyAsync(await chat.SessionIdAsync(), MarkdownTests.RichReply)).DataAsync();
            await Expect(chat.AgentMessages.Locator("table")).ToBeVisibleAsync();
            await Expect(chat.AgentMessages.Locator("td.text-end")).ToHaveTextAsync("10");
        }
        Assert.Empty(problems);
    }

    private static ILocator ThemeToggle(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Dark mode" });
}
