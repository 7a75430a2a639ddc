using Microsoft.Playwright;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// Browser tests run in two collections side by side, each with a Chromium of its own, and each collection one class
/// at a time (every class drives its own <see cref="LiveBridge"/>). A browser test mostly waits for pages, sockets and
/// the host: run one after another, the whole browser pass kept the two cores a third busy. This one holds the chat
/// page and the widget.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser: chat page and widget";
}

/// <summary>The other half of the browser tests: the admin console, the languages, accessibility and the pages' chrome.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleBrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser: admin console, languages and accessibility";
}

/// <summary>
/// Debian's Chromium, driven by Playwright; never a downloaded browser. Its headless shell (package
/// <c>chromium-headless-shell</c>, which <c>.ci/run</c> installs) is preferred: the same Blink and V8 without the
/// desktop browser's services, a page in a fresh context cost a third of the CPU (0.9 s against 2.7 s for the chat
/// page), and browser tests are most of what the suite spends. The full browser serves where the shell is missing.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private const string HeadlessShell = "/usr/bin/chromium-headless-shell";

    private static readonly string ChromiumPath = File.Exists(HeadlessShell) ? HeadlessShell : "/usr/bin/chromium";

    private readonly List<IBrowserContext> _open = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(10_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// A fresh profile (empty localStorage) with one page, on the given host, in the light colour scheme unless
    /// asked otherwise, and in Playwright's default en-US unless <paramref name="locale"/> names the browser's language.
    /// </summary>
    public async Task<IPage> NewPageAsync(
        Uri baseUrl, int width = 1024, int height = 768, ColorScheme colorScheme = ColorScheme.Light, bool bypassCsp = false,
        string? locale = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
            BypassCSP = bypassCsp,
            Locale = locale,
        });
        lock (_open)
        {
            _open.Add(context);
        }
        var page = await context.NewPageAsync();
        // An action's patience: a click waits until its element is visible, enabled and stable, which takes the
        // renderer a frame or two. In the first minute of a CI run (both passes starting hosts, the release build
        // compiling beside them) a renderer went 10 s without drawing one. Waiting longer changes no assertion.
        page.SetDefaultTimeout(20_000);
        return page;
    }

    /// <summary>
    /// Closes every context opened since the last call, with its pages and their renderer processes. A page left open
    /// keeps polling and reconnecting to a host that is gone: left to pile up, a hundred renderers starved the machine.
    /// </summary>
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }
        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

/// <summary>
/// A browser test: whatever pages it opened are closed when it ends, pass or fail, so at most one test's renderers
/// per collection are alive at a time.
/// </summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    protected BrowserFixture Browser { get; } = browser;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Browser.CloseContextsAsync();
}

/// <summary>The bridge on a loopback port, one per test class.</summary>
public class LiveBridge : BridgeApp
{
    public LiveBridge() : this(rateLimiting: false)
    {
    }

    /// <param name="settings">Configuration the host needs from its start, before it serves.</param>
    protected LiveBridge(bool rateLimiting, params (string Key, string Value)[] settings)
    {
        RateLimiting = rateLimiting;
        foreach (var (key, value) in settings)
        {
            Settings[key] = value;
        }
        BaseUrl = ServeOnLoopback();
    }

    public Uri BaseUrl { get; }
}

/// <summary>The bridge with its rate limits switched on, for the 429 path.</summary>
public sealed class RateLimitedLiveBridge() : LiveBridge(rateLimiting: true);

/// <summary>Saves a screenshot when <c>CHATBRIDGE_SCREENSHOTS</c> names a folder; tests run without it.</summary>
internal static class Screenshots
{
    /// <param name="top">What the picture is of, scrolled to the top of the viewport, when the page holds more above it.</param>
    public static async Task SaveAsync(IPage page, string name, ILocator? top = null)
    {
        if (Environment.GetEnvironmentVariable("CHATBRIDGE_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            if (top is not null)
            {
                // Instant: Bootstrap makes the page's scrolling smooth, which the picture would catch halfway.
                await top.EvaluateAsync("""
                    element => {
                        element.scrollIntoView({ block: 'start', behavior: 'instant' });
                        window.scrollBy({ top: -12, behavior: 'instant' });
                    }
                    """);
            }
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name) });
        }
    }
}

/// <summary>
/// Marks a browser class whose journeys reach what each storage provider does its own way (the realtime bus, stored
/// files, the admin's feed and search, the statistics, the redelivery queue, accounts): CI runs these on PostgreSQL
/// too. The other browser classes test the pages themselves and run once, on SQLite; their answers on PostgreSQL are
/// checked by the API tests.
/// </summary>
public static class StorageJourney
{
    public const string Trait = "StorageJourney";
    public const string Yes = "yes";
}
