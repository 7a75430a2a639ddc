using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>What a person sees on the chat page, as locators, and the few things they do there.</summary>
internal sealed partial class ChatPage(IPage page)
{
    public IPage Page => page;

    public ILocator Transcript => page.Locator("#transcript");

    public ILocator UserMessages => page.Locator(".message-user");

    public ILocator AgentMessages => page.Locator(".message-agent");

    public ILocator Error => page.Locator("#composer-error");

    public ILocator ConnectionBanner => page.Locator("#connection-banner");

    public ILocator SendButton => page.Locator("#send-button");

    public ILocator ConnectionState => page.Locator("#connection-state");

    public ILocator TypingIndicator => page.Locator("#typing-indicator");

    public ILocator Input => page.GetByLabel("Message", new() { Exact = true });

    /// <param name="clock">Gives the page Playwright's clock, which runs in real time until a test pauses it.</param>
    public static async Task<ChatPage> OpenAsync(BrowserFixture browser, LiveBridge app, bool clock = false)
    {
        var chat = new ChatPage(await browser.NewPageAsync(app.BaseUrl));
        if (clock)
        {
            await chat.Page.Clock.InstallAsync();
        }
        await chat.GotoAsync();
        return chat;
    }

    public async Task GotoAsync()
    {
        await page.GotoAsync("/");
        await WaitUntilReadyAsync();
    }

    /** Replies arrive live: over the WebSocket, or by long polling where there is none. */
    public Task WaitUntilLiveAsync(string state = "live") => Expect(ConnectionState).ToHaveAttributeAsync("data-state", state);

    public Task WaitUntilReadyAsync() => Expect(Transcript).ToHaveAttributeAsync("data-ready", "true");

    public async Task<string> SessionIdAsync()
    {
        var id = await Transcript.GetAttributeAsync("data-session-id");
        Assert.NotNull(id);
        Assert.Matches(SessionIdPattern(), id);
        return id;
    }

    /// <summary>The token the page bound its current session to, for a test that calls the API as that visitor.</summary>
    public async Task<string> SessionTokenAsync()
    {
        var session = await SessionIdAsync();
        var token = await Page.EvaluateAsync<string?>(
            "id => (JSON.parse(localStorage.getItem('chatbridge.conversations')) || []).find(c => c.id === id)?.token ?? null", session);
        Assert.NotNull(token);
        return token;
    }

    public async Task SendAsync(string text)
    {
        await Input.FillAsync(text);
        await Input.PressAsync("Enter");
    }

    public ILocator StatusOf(ILocator message) => message.Locator(".message-status");

    [GeneratedRegex("^session_[A-Za-z0-9_]+$")]
    private static partial Regex SessionIdPattern();
}
