using ChatBridge.Tests.Sanctum;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>The bridge with <c>ChatBridge:Chat:RequireSignIn</c> on: a private host whose chat is for signed-in users only.</summary>
public sealed class PrivateLiveBridge() : LiveBridge(rateLimiting: false, ("ChatBridge:Chat:RequireSignIn", "true"));

/// <summary>The chat page's (and the widget panel's) sign-in, as a person uses it.</summary>
internal static class AccountPages
{
    public static ILocator AccountButton(this IPage page) => page.Locator("#account-button");

    public static ILocator SignInError(this IPage page) => page.Locator("#sign-in-error");

    /// <summary>Opens the header's dialog and signs in there.</summary>
    public static async Task SignInAsync(this IPage page, string username, string password = SanctumAccounts.Password)
    {
        await page.AccountButton().ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await FillAndSubmitAsync(dialog, username, password);
    }

    public static async Task FillAndSubmitAsync(ILocator form, string username, string password = SanctumAccounts.Password)
    {
        await form.GetByLabel("Username").FillAsync(username);
        await form.GetByLabel("Password").FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    public static async Task SignOutAsync(this IPage page)
    {
        await page.AccountButton().ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.AccountButton()).ToHaveTextAsync("Sign in");
    }
}
