using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task Admin_lists_a_session_opens_its_transcript_and_rotates_the_api_key()
    {
        const string session = "session_admin_page_demo";
        using (var user = app.Anonymous())
        using (var broca = app.Broca())
        {
            await (await user.PostMessageAsync(session, "Can I change my delivery address?")).DataAsync();
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync(session, "Yes: open Orders, pick the order and choose Edit address.")).DataAsync();
            await (await user.PostMessageAsync("session_admin_page_second", "Hello?")).DataAsync();
        }
        var page = await SignInAsync();

        var row = page.Locator($"tr[data-session-id='{session}']");
        await Expect(row.Locator("td")).ToHaveTextAsync([new Regex($"^{session}uid [0-9a-f]{{16}}$"), new Regex("^1$"), new Regex("^1$"), new Regex(@"\d"), new Regex("^Open$")]);
        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync([
            "Can I change my delivery address?",
            "Yes: open Orders, pick the order and choose Edit address.",
        ]);
        await Screenshots.SaveAsync(page, "admin.png", page.Locator("section[aria-labelledby='sessions-title']"));

        var apiKeyField = page.GetByLabel("API key (Broca)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate a new api_key" }).ClickAsync();
        var newKey = await apiKeyField.InputValueAsync();
        Assert.NotEqual(BridgeApp.ApiKey, newKey);
        Assert.True(newKey.Length >= 16);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#admin-notice")).ToHaveTextAsync("Saved: api_key.");

        using var oldKey = app.Broca();
        await (await oldKey.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).AssertErrorAsync(401, "Invalid API key");
        using var rotated = app.WithKey(newKey);
        await (await rotated.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
    }

    [Fact]
    public async Task Admin_page_refuses_a_wrong_key_and_asks_again()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.GotoAsync("/admin");

        await page.GetByLabel("Admin key").FillAsync("not-the-admin-key-at-all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator("#admin-error")).ToHaveTextAsync("The admin key was refused (Invalid admin key). Sign in again.");
        await Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('chatbridge.adminKey')"));
    }

    [Fact]
    public async Task Admin_clears_chat_data_only_after_DELETE_is_typed()
    {
        using (var user = app.Anonymous())
        {
            await (await user.PostMessageAsync("session_to_be_cleared", "Bye")).DataAsync();
        }
        var page = await SignInAsync();
        await Expect(page.Locator("tr[data-session-id='session_to_be_cleared']")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Clean up idle sessions" }).ClickAsync();
        await Expect(page.Locator("#admin-notice")).ToBeVisibleAsync();
        await Expect(page.Locator("tr[data-session-id='session_to_be_cleared']")).ToBeVisibleAsync();

        var clear = page.GetByRole(AriaRole.Button, new() { Name = "Clear all chat data" });
        var confirm = page.GetByLabel("Type DELETE to confirm");
        await Expect(clear).ToBeDisabledAsync();
        await confirm.FillAsync("delete");
        await Expect(clear).ToBeDisabledAsync();
        await confirm.FillAsync("DELETE");
        await clear.ClickAsync();

        await Expect(page.Locator("#sessions-body")).ToHaveTextAsync("No active sessions.");
        await Expect(page.Locator("#admin-notice")).ToBeVisibleAsync();
        await Expect(confirm).ToHaveValueAsync("");
        await Expect(clear).ToBeDisabledAsync();
        using var admin = app.Admin();
        var remaining = await (await admin.GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();
        Assert.Equal(0, remaining.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Admin_exports_an_open_transcript_as_Markdown_and_as_JSON()
    {
        const string session = "session_admin_export";
        await SeedConversationAsync(session, "How do I reset my password?", "Open **Settings**, then *Security*.");
        var page = await SignInAsync();
        var exportMarkdown = page.GetByRole(AriaRole.Button, new() { Name = "Export Markdown" });
        var exportJson = page.GetByRole(AriaRole.Button, new() { Name = "Export JSON" });
        await Expect(exportMarkdown).ToBeDisabledAsync();

        await page.Locator($"tr[data-session-id='{session}']").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#admin-transcript .message-agent strong")).ToHaveTextAsync("Settings");

        var markdown = await DownloadAsync(page, exportMarkdown);
        Assert.Equal($"{session}.md", markdown.Name);
        Assert.StartsWith($"# Transcript of {session}\n", markdown.Text, StringComparison.Ordinal);
        Assert.Matches(@"## User · \S+Z · answered\n\nHow do I reset my password\?\n\n## Agent · \S+Z\n\nOpen \*\*Settings\*\*, then \*Security\*\.\n$", markdown.Text);

        var json = await DownloadAsync(page, exportJson);
        Assert.Equal($"{session}.json", json.Name);
        using var document = System.Text.Json.JsonDocument.Parse(json.Text);
        var root = document.RootElement;
        Assert.Equal(session, root.GetProperty("session").GetProperty("id").GetString());
        Assert.Equal("How do I reset my password?", root.GetProperty("messages")[0].GetProperty("message").GetString());
        Assert.Equal("Open **Settings**, then *Security*.", root.GetProperty("responses")[0].GetProperty("response").GetString());
        BridgeRequests.AssertTimestamp(root.GetProperty("exported_at").GetString());
    }

    [Fact]
    public async Task Admin_page_on_a_phone_lists_sessions_without_sideways_scroll()
    {
        const string session = "session_admin_phone_with_a_rather_long_identifier_0123456789";
        await SeedConversationAsync(session, "Is this readable on a phone?", "Yes, as a list.\n\n```\n" + new string('x', 200) + "\n```");
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 844);
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var row = page.Locator($"tr[data-session-id='{session}']");
        await Expect(row).ToBeVisibleAsync();
        // A list, not a table: the counts sit under the session id, and the column headings are not shown.
        var id = await row.Locator(".session-id").BoundingBoxAsync();
        var messages = await row.Locator("td[data-label='Messages']").BoundingBoxAsync();
        Assert.True(messages!.Y >= id!.Y + id.Height, $"counts at y={messages.Y}, id ends at {id.Y + id.Height}");
        await Expect(page.Locator(".sessions-table thead")).ToHaveCSSAsync("position", "absolute");
        await Screenshots.SaveAsync(page, "admin-phone.png", page.Locator("section[aria-labelledby='sessions-title']"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        await row.GetByRole(AriaRole.Button, new() { Name = $"Open {session}" }).ClickAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveCountAsync(2);
        await Expect(page.Locator("#admin-transcript pre")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
    }

    private async Task SeedConversationAsync(string session, string message, string reply)
    {
        using var user = app.Anonymous();
        using var broca = app.Broca();
        await (await user.PostMessageAsync(session, message)).DataAsync();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await (await broca.PostReplyAsync(session, reply)).DataAsync();
    }

    private static async Task<(string Name, string Text)> DownloadAsync(IPage page, ILocator button)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => button.ClickAsync());
        await using var stream = await download.CreateReadStreamAsync();
        using var reader = new StreamReader(stream);
        return (download.SuggestedFilename, await reader.ReadToEndAsync());
    }

    private async Task<IPage> SignInAsync()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        return page;
    }
}
