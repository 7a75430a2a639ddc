using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Widget;

/// <summary>A host page with the widget on it: the button, the framed panel, and what the console said.</summary>
internal sealed class WidgetPage
{
    private readonly List<string> _console = [];

    public WidgetPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) => _console.Add($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => _console.Add($"uncaught: {error}");
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Console => _console;

    /// <summary>The host element; Playwright's selectors pierce its open shadow root.</summary>
    public ILocator Host => Page.Locator("[data-sanctum-chat]");

    public ILocator Launcher => Page.Locator("[data-sanctum-chat] .launcher");

    public ILocator Badge => Page.Locator("[data-sanctum-chat] .badge");

    public ILocator PanelBox => Page.Locator("[data-sanctum-chat] .panel");

    public ILocator Frame => Page.Locator("[data-sanctum-chat] iframe");

    public IFrameLocator Panel => Page.FrameLocator("[data-sanctum-chat] iframe");

    public ILocator Transcript => Panel.Locator("#transcript");

    public ILocator UserMessages => Panel.Locator(".message-user");

    public ILocator AgentMessages => Panel.Locator(".message-agent");

    public ILocator Input => Panel.GetByLabel("Message", new() { Exact = true });

    public static async Task<WidgetPage> OpenAsync(BrowserFixture browser, HostSite site, string path, int width = 1280, int height = 800)
    {
        var widget = new WidgetPage(await browser.NewPageAsync(site.BaseUrl, width, height));
        await widget.Page.GotoAsync(path);
        return widget;
    }

    /// <summary>Another tab of the same browser profile.</summary>
    public async Task<WidgetPage> NewTabAsync(string path)
    {
        var other = new WidgetPage(await Page.Context.NewPageAsync());
        await other.Page.GotoAsync(path);
        return other;
    }

    public async Task OpenPanelAsync()
    {
        await Launcher.ClickAsync();
        await Expect(Transcript).ToHaveAttributeAsync("data-ready", "true");
    }

    public async Task SendAsync(string text)
    {
        await Input.FillAsync(text);
        await Input.PressAsync("Enter");
    }

    public ILocator StatusOf(ILocator message) => message.Locator(".message-status");

    public async Task<string> SessionIdAsync() =>
        await Transcript.GetAttributeAsync("data-session-id") ?? throw new InvalidOperationException("No session yet.");

    /// <summary>Waits until the panel's WebSocket is up, so a reply posted now is pushed, not found by a later query.</summary>
    public Task WaitUntilLiveAsync() => Expect(Panel.Locator("#connection-state")).ToHaveAttributeAsync("data-state", "live");

    /// <summary>Waits (up to the usual 10 s) for a console line containing <paramref name="text"/>.</summary>
    public async Task WaitForConsoleAsync(string text)
    {
        for (var waited = 0; waited < 10_000; waited += 100)
        {
            if (_console.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"No console line with \"{text}\"; the console said: {string.Join(" | ", _console)}");
    }

    /// <summary>Which element of the widget has the focus, seen from the host page.</summary>
    public Task<string?> FocusedPartAsync() =>
        Page.EvaluateAsync<string?>("() => document.querySelector('[data-sanctum-chat]').shadowRoot.activeElement?.className ?? null");
}
