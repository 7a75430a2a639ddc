using ChatBridge.Tests.Sanctum;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>A private host (RequireSignIn): the page asks for a sign-in in place of the chat, then chats.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PrivateChatTests(BrowserFixture browser, PrivateLiveBridge app) : BrowserTest(browser), IClassFixture<PrivateLiveBridge>
{
    [Fact]
    public async Task The_page_shows_the_sign_in_form_instead_of_the_chat_and_then_the_chat()
    {
        app.AddUser("dora_private");
        var page = await Browser.NewPageAsync(app.BaseUrl, bypassCsp: true);
        await page.GotoAsync("/");

        var gate = page.Locator("#sign-in-gate");
        await Expect(gate).ToBeVisibleAsync();
        await Expect(gate).ToContainTextAsync("This chat is for signed-in users only.");
        await Expect(page.Locator("#message-input")).ToBeHiddenAsync();
        await Expect(page.GetByLabel("Username")).ToBeFocusedAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(page, "a private host's sign-in form");

        await AccountPages.FillAndSubmitAsync(gate, "dora_private");

        var chat = new ChatPage(page);
        await Expect(gate).ToBeHiddenAsync();
        await chat.WaitUntilReadyAsync();
        await chat.WaitUntilLiveAsync();
        await Expect(page.AccountButton()).ToHaveTextAsync("dora_private");
        await chat.SendAsync("Hello from inside");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
    }
}
