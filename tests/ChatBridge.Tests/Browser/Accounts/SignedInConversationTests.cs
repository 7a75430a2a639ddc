using System.Text.RegularExpressions;
using ChatBridge.Tests.Sanctum;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>A signed-in user's list of conversations comes from the server: the same on every device, and a removal holds everywhere.</summary>
[Collection(BrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class SignedInConversationTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task The_signed_in_list_is_the_same_on_another_device_and_removing_one_there_hides_it_everywhere()
    {
        app.AddUser("dana_list");
        var laptop = await ChatPage.OpenAsync(Browser, app);
        await laptop.Page.SignInAsync("dana_list");
        await Expect(laptop.Page.AccountButton()).ToHaveTextAsync("dana_list");
        await laptop.WaitUntilReadyAsync();
        await laptop.SendAsync("Planning the spring trip");
        await Expect(laptop.StatusOf(laptop.UserMessages.Last)).ToHaveTextAsync("Sent");
        var spring = await laptop.SessionIdAsync();
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(laptop.Transcript).Not.ToHaveAttributeAsync("data-session-id", spring);
        await laptop.WaitUntilReadyAsync();
        await laptop.SendAsync("Renewing my passport");
        await Expect(laptop.StatusOf(laptop.UserMessages.Last)).ToHaveTextAsync("Sent");
        var laptopList = laptop.Page.GetByRole(AriaRole.Complementary, new() { Name = "Conversations" });
        await Expect(laptopList.Locator(".conversation-title")).ToHaveTextAsync(["Renewing my passport", "Planning the spring trip"]);

        // Another device: a fresh browser, signed in, lists the same conversations from my_sessions.
        var phone = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 800));
        await phone.GotoAsync();
        await phone.Page.SignInAsync("dana_list");
        await Expect(phone.Page.AccountButton()).ToHaveTextAsync("dana_list");
        await phone.WaitUntilReadyAsync();
        await phone.Page.Locator("#conversations-toggle").ClickAsync();
        var phoneList = phone.Page.GetByRole(AriaRole.Complementary, new() { Name = "Conversations" });
        await Expect(phoneList.Locator(".conversation-title")).ToHaveTextAsync(["Renewing my passport", "Planning the spring trip"]);

        await phoneList.GetByRole(AriaRole.Button, new() { Name = "Remove “Planning the spring trip” from the list" }).ClickAsync();
        await Expect(phoneList.Locator(".conversation-title")).ToHaveTextAsync(["Renewing my passport"]);
        Assert.NotNull(app.Scalar("SELECT hidden_at FROM web_chat_sessions WHERE session_id = $s", ("$s", spring)));

        await laptop.Page.ReloadAsync();
        await laptop.WaitUntilReadyAsync();
        await Expect(laptopList.Locator(".conversation-title")).ToHaveTextAsync(["Renewing my passport"]);
        await Expect(laptopList.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Renewing my passport") })).ToHaveAttributeAsync("aria-current", "true");
    }
}
