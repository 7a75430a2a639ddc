using ChatBridge.Tests.Sanctum;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>The admin console opened by a Sanctum account of role admin instead of the key.</summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class AdminSignInTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task An_admin_account_opens_the_console_without_the_key_and_sees_whose_sessions_they_are()
    {
        app.AddUser("root_admin", role: "admin");
        app.AddUser("fay_admin");
        using (var fay = await app.SignedInAsync("fay_admin"))
        {
            await (await fay.PostMessageAsync("session_of_fay", "Fay asks")).DataAsync();
        }
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await page.GotoAsync("/admin");

        await SignInAsync(page, "root_admin");

        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync("Signed in as root_admin");
        var row = page.Locator("tr[data-session-id='session_of_fay']");
        await Expect(row.Locator(".session-user")).ToHaveTextAsync("fay_admin");
        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#transcript-user")).ToHaveTextAsync("user fay_admin");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('chatbridge.adminKey')"));

        await page.ReloadAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync("Signed in as root_admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.Locator("#admin-key")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#admin-key")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_users_account_is_refused_with_the_mapped_text()
    {
        app.AddUser("gus_admin");
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.GotoAsync("/admin");

        await SignInAsync(page, "gus_admin");

        await Expect(page.Locator("#admin-error")).ToContainTextAsync("Admin access required");
        await Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_sign_in_forms_have_no_serious_findings()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, bypassCsp: true);
        await page.GotoAsync("/admin");
        await SignInAsync(page, "nobody_admin", "wrong");
        await Expect(page.Locator("#admin-error")).ToHaveTextAsync("Invalid username or password");

        await AxeScan.AssertNoSeriousFindingsAsync(page, "the admin sign-in with an account's error");
    }

    private static async Task SignInAsync(IPage page, string username, string password = SanctumAccounts.Password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with account" }).ClickAsync();
    }
}
