using ChatBridge.Tests.Sanctum;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Accounts;

/// <summary>Signing in with a Sanctum account on the chat page: the conversation follows the person, not the browser.</summary>
[Collection(BrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class ChatSignInTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task Signing_in_keeps_the_anonymous_conversation_as_the_users_and_another_browser_opens_it()
    {
        var ada = app.AddUser("ada_chat");
        var chat = await ChatPage.OpenAsync(Browser, app);
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Asked before signing in");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        await chat.Page.SignInAsync("ada_chat");

        await Expect(chat.Page.AccountButton()).ToHaveTextAsync("ada_chat");
        await Expect(chat.Page.AccountButton()).ToHaveAccessibleNameAsync("Account: ada_chat");
        await Expect(chat.Page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(chat.Transcript).ToHaveAttributeAsync("data-session-id", session);
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Asked before signing in"]);
        Assert.Equal(ada, app.Scalar("SELECT user_id FROM web_chat_sessions WHERE session_id = $s", ("$s", session)));
        await chat.Page.AccountButton().ClickAsync();
        var dialog = chat.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = "Signed in as ada_chat" })).ToBeVisibleAsync();
        var listed = dialog.Locator(".conversation-link");
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed).ToHaveAttributeAsync("data-session-id", session);
        await Expect(listed).ToContainTextAsync("Asked before signing in");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        var phone = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 800));
        await phone.GotoAsync();
        Assert.NotEqual(session, await phone.SessionIdAsync());
        await phone.Page.SignInAsync("ada_chat");
        await Expect(phone.Transcript).ToHaveAttributeAsync("data-session-id", session);
        await phone.WaitUntilReadyAsync();
        await Expect(phone.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Asked before signing in"]);
    }

    [Fact]
    public async Task Until_the_users_conversation_is_open_after_signing_in_the_page_is_not_ready_and_sends_nothing()
    {
        app.AddUser("finn_chat");
        var chat = await ChatPage.OpenAsync(Browser, app);
        var agentsAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The page reopens as the user's once it has their agents: held here, the window where it used to look ready.
        await chat.Page.RouteAsync(url => url.Contains("action=agents", StringComparison.Ordinal), async route =>
        {
            agentsAsked.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });

        await chat.Page.SignInAsync("finn_chat");
        await agentsAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await Expect(chat.Page.AccountButton()).ToHaveTextAsync("finn_chat");
        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-ready", "true");
        await Expect(chat.Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true })).ToBeDisabledAsync();
        release.SetResult();
        await chat.WaitUntilReadyAsync();
        await chat.SendAsync("Sent once the conversation is open");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
    }

    [Fact]
    public async Task A_wrong_password_is_told_in_the_readers_words_and_the_form_stays_open()
    {
        app.AddUser("bob_chat");
        var chat = await ChatPage.OpenAsync(Browser, app);

        await chat.Page.SignInAsync("bob_chat", "not the password");

        await Expect(chat.Page.SignInError()).ToHaveTextAsync("Invalid username or password");
        await Expect(chat.Page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await Expect(chat.Page.AccountButton()).ToHaveTextAsync("Sign in");
    }

    [Fact]
    public async Task A_deactivated_account_is_told_so()
    {
        app.AddUser("gone_chat", active: false);
        var chat = await ChatPage.OpenAsync(Browser, app);

        await chat.Page.SignInAsync("gone_chat");

        await Expect(chat.Page.SignInError()).ToHaveTextAsync("Account is deactivated");
    }

    [Fact]
    public async Task Signing_out_forgets_the_users_conversation_in_this_browser()
    {
        app.AddUser("cleo_chat");
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.Page.SignInAsync("cleo_chat");
        await Expect(chat.Page.AccountButton()).ToHaveTextAsync("cleo_chat");
        await chat.WaitUntilReadyAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Private question");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        await chat.Page.SignOutAsync();

        await Expect(chat.Transcript).Not.ToHaveAttributeAsync("data-session-id", session);
        await chat.WaitUntilReadyAsync();
        await Expect(chat.UserMessages).ToHaveCountAsync(0);
        var stored = await chat.Page.EvaluateAsync<string[]>("() => Object.values(localStorage)");
        Assert.DoesNotContain(session, stored);
        await chat.GotoAsync();
        await Expect(chat.Page.AccountButton()).ToHaveTextAsync("Sign in");
        Assert.NotEqual(session, await chat.SessionIdAsync());
        await Expect(chat.UserMessages).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_sign_in_dialog_has_no_serious_findings()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, bypassCsp: true));
        await chat.GotoAsync();
        await chat.Page.SignInAsync("nobody_chat", "wrong");
        await Expect(chat.Page.SignInError()).ToBeVisibleAsync();

        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the chat's sign-in dialog with an error");
    }
}
