using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(ConsoleBrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class RedeliveryPageTests(BrowserFixture browser, ShortLeaseLiveBridge app) : BrowserTest(browser), IClassFixture<ShortLeaseLiveBridge>
{
    [Fact]
    public async Task A_message_whose_claim_lapsed_shows_as_sent_again_then_delivered_again_live_and_after_a_reload()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Is anyone there?");
        var mine = chat.UserMessages.Last;
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();

        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Delivered");
        // Broca dropped it: once the lease lapses the message waits for Broca again, and the page says so.
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        await chat.GotoAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await chat.WaitUntilLiveAsync();

        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Delivered");
        await (await broca.PostReplyAsync(session, "Yes, sorry for the wait.")).DataAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Answered");
    }
}
