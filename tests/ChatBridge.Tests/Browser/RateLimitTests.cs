using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RateLimitTests(BrowserFixture browser, RateLimitedLiveBridge app) : BrowserTest(browser), IClassFixture<RateLimitedLiveBridge>
{
    [Fact]
    public async Task Rate_limited_send_counts_down_and_blocks_sending_until_retry_after_has_passed()
    {
        using var admin = app.Admin();
        await (await admin.PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Clock.InstallAsync(); // fake timers that still run in real time, so the countdown can be skipped
        var chat = new ChatPage(page);
        await chat.GotoAsync();

        await chat.SendAsync("First message");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await chat.SendAsync("One too many");

        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Not sent");
        await Expect(chat.Error).ToHaveTextAsync(new Regex(@"^Too many messages\. You can send again in \d+ s\.$"));
        await Expect(chat.SendButton).ToBeDisabledAsync();
        var before = await chat.Error.TextContentAsync();
        await page.Clock.RunForAsync(3000);
        await Expect(chat.Error).Not.ToHaveTextAsync(before!);

        await (await admin.PostJsonAsync("config", new { rate_limit_messages = 0 })).DataAsync();
        await page.Clock.FastForwardAsync("01:00:00");
        await Expect(chat.SendButton).ToBeEnabledAsync();
        await Expect(chat.Error).ToBeHiddenAsync();

        await chat.SendAsync("After the wait");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
    }
}
