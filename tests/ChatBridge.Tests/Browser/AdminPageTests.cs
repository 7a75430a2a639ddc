using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture browser, LiveBridge app) : IClassFixture<LiveBridge>
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
        await Screenshots.SaveAsync(page, "admin.png");

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
        var page = await browser.NewPageAsync(app.BaseUrl);
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

    private async Task<IPage> SignInAsync()
    {
        var page = await browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        return page;
    }
}
