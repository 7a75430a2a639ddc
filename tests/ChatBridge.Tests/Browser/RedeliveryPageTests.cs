using ChatBridge.Configuration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(ConsoleBrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class RedeliveryPageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    /// <summary>The lease sweeper looks every 5 s with the shipped lease: the page may wait that long for the lapse.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions UntilTheSweep = new() { Timeout = 20_000 };

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
        // Broca dropped it: once the shipped lease has lapsed the message waits for Broca again, and the page says so.
        app.Clock.Advance(new InboxOptions().ClaimTimeout);
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent", UntilTheSweep);
        await chat.GotoAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        await chat.WaitUntilLiveAsync();

        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Delivered");
        await (await broca.PostReplyAsync(session, "Yes, sorry for the wait.")).DataAsync();
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Answered");
    }
}
