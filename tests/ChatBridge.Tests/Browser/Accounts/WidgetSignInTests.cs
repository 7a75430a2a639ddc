using ChatBridge.Tests.Sanctum;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>The widget's panel signs in without a cookie: the token goes in X-Sanctum-Session, kept for the tab.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WidgetSignInTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task The_panel_signs_in_with_a_token_header_and_no_cookie_and_keeps_it_for_the_tab()
    {
        const string session = "session_widget_sign_in";
        var eve = app.AddUser("eve_widget");
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.GotoAsync($"/widget/?session={session}");
        var chat = new ChatPage(page);
        await chat.WaitUntilReadyAsync();
        await chat.SendAsync("From the widget");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        var withToken = page.WaitForRequestAsync(r => r.Url.Contains("action=my_sessions", StringComparison.Ordinal)
            && r.Headers.TryGetValue("x-sanctum-session", out var token) && token.Length == 64);
        await page.SignInAsync("eve_widget");
        await withToken;

        await Expect(page.AccountButton()).ToHaveTextAsync("eve_widget");
        Assert.Equal(eve, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = $s", ("$s", session)));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "chatbridge_session");

        await page.ReloadAsync();
        await Expect(page.AccountButton()).ToHaveTextAsync("eve_widget");
        await chat.WaitUntilReadyAsync();
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["From the widget"]);
    }
}
