using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Widget;

/// <summary>
/// The widget in the site's or the visitor's language: the <c>locale</c> option and <c>data-locale</c>, the corner and
/// the panel mirrored in Arabic, and a language the visitor picks in the panel, remembered for the site.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class WidgetLocaleTests(BrowserFixture browser, WidgetSites sites, ITestOutputHelper output) : BrowserTest(browser), IClassFixture<WidgetSites>
{
    private Uri Bridge => sites.BridgeUrl;

    [Fact]
    public async Task The_locale_option_puts_the_button_and_the_panel_in_Japanese()
    {
        sites.Site.Serve("/ja.html", HostPages.Page(HostPages.QueueFirst(Bridge, """{ locale: "ja", theme: "light" }""")));
        var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/ja.html");

        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("チャットを開く");
        await widget.OpenPanelAsync();
        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("チャットを閉じる");
        await Expect(widget.Panel.Locator("html")).ToHaveAttributeAsync("lang", "ja");
        await Expect(widget.Panel.Locator("#widget-title")).ToHaveTextAsync("チャット");
        await Expect(widget.Panel.Locator("#send-label")).ToHaveTextAsync("送信");
        await widget.WaitUntilLiveAsync();
        var session = await widget.SessionIdAsync();
        await widget.Panel.GetByLabel("メッセージ", new() { Exact = true }).FillAsync("サイズは小さめですか？");
        await widget.Panel.GetByLabel("メッセージ", new() { Exact = true }).PressAsync("Enter");
        await Expect(widget.StatusOf(widget.UserMessages.Last)).ToHaveTextAsync("送信済み");
        await Screenshots.SaveAsync(widget.Page, "widget-ja.png");

        await widget.Panel.Locator("#widget-close").ClickAsync();
        using var broca = sites.Bridge.Broca();
        await (await broca.PostReplyAsync(session, "標準的なサイズです。")).DataAsync();
        await (await broca.PostReplyAsync(session, "厚手の靴下なら半サイズ上がおすすめです。")).DataAsync();
        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("チャットを開く：未読の返信2件");
    }

    [Fact]
    public async Task Data_locale_ar_mirrors_the_corner_and_the_panel_and_fills_a_phone()
    {
        sites.Site.Serve("/ar.html", HostPages.Page($"""<script src="{Bridge}widget.js" async data-locale="ar" data-theme="light"></script>"""));
        var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/ar.html");

        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("فتح المحادثة");
        await Expect(widget.Host).ToHaveClassAsync("bottom-left");
        var launcher = await widget.Launcher.BoundingBoxAsync();
        Assert.NotNull(launcher);
        Assert.True(launcher.X < 640, $"the button is at x={launcher.X}, not in the left corner");
        await widget.OpenPanelAsync();
        await Expect(widget.Panel.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Expect(widget.Panel.Locator("#send-label")).ToHaveTextAsync("إرسال");
        await Screenshots.SaveAsync(widget.Page, "widget-ar.png");

        var phone = await WidgetPage.OpenAsync(Browser, sites.Site, "/ar.html", width: 390, height: 844);
        await phone.OpenPanelAsync();
        var box = await phone.Frame.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.Equal((0d, 390d), (box.X, box.Width));
        Assert.True(await phone.Panel.Locator("html").EvaluateAsync<bool>("root => root.scrollWidth <= root.clientWidth"));
        await Expect(phone.Panel.Locator("#send-button")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Screenshots.SaveAsync(phone.Page, "widget-ar-phone.png");
    }

    [Fact]
    public async Task A_language_picked_in_the_panel_wins_over_the_site_option_and_is_remembered_for_the_site()
    {
        sites.Site.Serve("/de.html", HostPages.Page(HostPages.QueueFirst(Bridge, """{ locale: "de", theme: "light" }""")));
        var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/de.html");
        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("Chat öffnen");
        await widget.OpenPanelAsync();
        await Expect(widget.Panel.Locator("#send-label")).ToHaveTextAsync("Senden");

        await widget.Panel.GetByLabel("Sprache").SelectOptionAsync("fr");
        await Expect(widget.Panel.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Expect(widget.Panel.Locator("#send-label")).ToHaveTextAsync("Envoyer");
        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("Fermer le chat");

        await widget.Page.ReloadAsync();
        await Expect(widget.Launcher).ToHaveAccessibleNameAsync("Ouvrir le chat");
        Assert.Equal("fr", await widget.Page.EvaluateAsync<string>("() => localStorage.getItem('sanctumchat.locale')"));
    }

    [Fact]
    public async Task The_first_open_in_a_locale_fetches_one_catalogue_beside_the_panel_files()
    {
        sites.Site.Serve("/timing.html", HostPages.Page(HostPages.QueueFirst(Bridge, """{ locale: "ar", theme: "light" }""")));
        List<string> fetched = [];
        for (var open = 0; open < 5; open++)
        {
            var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/timing.html");
            await Expect(widget.Launcher).ToBeVisibleAsync();
            await widget.OpenPanelAsync();
            var frame = await (await widget.Frame.ElementHandleAsync()).ContentFrameAsync();
            Assert.NotNull(frame);
            var catalogues = await frame.EvaluateAsync<double[]>("""
                () => performance.getEntriesByType('resource').filter(e => e.name.includes('/i18n/')).map(e => e.responseEnd - e.startTime)
                """);
            Assert.Single(catalogues);
            var shown = await frame.EvaluateAsync<double>("() => performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint')?.startTime ?? -1");
            fetched.Add($"catalogue {catalogues[0]:F1} ms, first paint {shown:F0} ms");
            await Browser.CloseContextsAsync();
        }
        // A figure for docs/WIDGET.md, never asserted: the machine is shared and its timings vary.
        output.WriteLine($"first open in Arabic, 5 fresh profiles: {string.Join("; ", fetched)}");
    }
}
