using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Localization;

/// <summary>
/// The chat and the admin console in the reader's language: chosen from the browser's languages or the language menu,
/// German's long words on a phone, Japanese, Arabic mirrored right to left with code kept left to right; axe in each.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed partial class LocalizationTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private const string Reply = """
        Ihre Bestellung ist **unterwegs**.

        | Schritt | Zeit |
        |:--------|-----:|
        | Verpackt | 09:00 |

        ```bash
        curl https://example.com/track/42
        ```
        """;

    [Fact]
    public async Task A_German_browser_gets_the_chat_in_German_and_the_long_words_fit_a_phone()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 360, height: 700, bypassCsp: true, locale: "de-DE"));
        await chat.GotoAsync();

        await Expect(chat.Page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(chat.Page.Locator("#send-label")).ToHaveTextAsync("Senden");
        await Expect(chat.Page.GetByPlaceholder("Nachricht eingeben…")).ToBeVisibleAsync();
        var session = await chat.SessionIdAsync();
        await chat.Page.GetByLabel("Nachricht", new() { Exact = true }).FillAsync("Wo ist meine Sendung?");
        await chat.Page.GetByLabel("Nachricht", new() { Exact = true }).PressAsync("Enter");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Gesendet");
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync(session, Reply)).DataAsync();
        }
        await Expect(chat.AgentMessages.GetByRole(AriaRole.Button, new() { Name = "Code kopieren" })).ToBeVisibleAsync();
        await Expect(chat.AgentMessages.Locator("time")).ToHaveTextAsync(TwentyFourHourTime());
        await AssertFitsAsync(chat.Page);
        await Expect(chat.SendButton).ToBeInViewportAsync(new() { Ratio = 1 });
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the German chat on a phone");

        await ArrangeSessionsAsync("session_de");
        var admin = await SignInAsync(await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 844, bypassCsp: true, locale: "de-DE"), "Admin-Schlüssel", "Anmelden");
        await Expect(admin.Locator("#sessions-range")).ToHaveTextAsync(new Regex("^1–20 von \\d+$"));
        await Expect(admin.GetByRole(AriaRole.Button, new() { Name = "Weiter" })).ToBeEnabledAsync();
        await Expect(admin.GetByText("Postausgangsaufrufe pro IP und Stunde")).ToBeVisibleAsync();
        await AssertFitsAsync(admin);
        await AxeScan.AssertNoSeriousFindingsAsync(admin, "the German admin console on a phone");
    }

    [Fact]
    public async Task A_Japanese_browser_gets_the_chat_and_the_admin_console_in_Japanese()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 1024, height: 760, bypassCsp: true, locale: "ja-JP"));
        await chat.GotoAsync();
        await Expect(chat.Page.Locator("html")).ToHaveAttributeAsync("lang", "ja");
        await Expect(chat.Page.Locator("#send-label")).ToHaveTextAsync("送信");
        var session = await chat.SessionIdAsync();
        await chat.Page.GetByLabel("メッセージ", new() { Exact = true }).FillAsync("荷物はどこですか？");
        await chat.Page.GetByLabel("メッセージ", new() { Exact = true }).PressAsync("Enter");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("送信済み");
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync(session, "本日、倉庫から**発送**されました。\n\n```bash\ncurl https://example.com/track/42\n```")).DataAsync();
        }
        await Expect(chat.AgentMessages.GetByRole(AriaRole.Button, new() { Name = "コードをコピー" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(chat.Page, "chat-ja.png");
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the Japanese chat");

        await ArrangeSessionsAsync("session_ja");
        var admin = await SignInAsync(await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900, bypassCsp: true, locale: "ja-JP"), "管理キー", "サインイン");
        await Expect(admin.Locator("#sessions-range")).ToHaveTextAsync(new Regex("^\\d+件中 1–20件$"));
        await Expect(admin.Locator(".backlog-age").First).ToHaveTextAsync(new Regex("^\\d+(秒|分)待機中$"));
        await Screenshots.SaveAsync(admin, "admin-ja.png");
        await AxeScan.AssertNoSeriousFindingsAsync(admin, "the Japanese admin console");
    }

    [Fact]
    public async Task Arabic_mirrors_the_chat_page_and_keeps_code_left_to_right()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 1024, height: 760, bypassCsp: true, locale: "ar-EG"));
        await chat.GotoAsync();
        await Expect(chat.Page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Expect(chat.Page.Locator("link[href$='bootstrap.rtl.min.css']")).ToHaveCountAsync(1);
        await Expect(chat.Page.Locator("link[href$='bootstrap.min.css']")).ToHaveCountAsync(0);
        await Expect(chat.Page.Locator("#send-label")).ToHaveTextAsync("إرسال");

        var session = await chat.SessionIdAsync();
        await chat.Page.GetByLabel("الرسالة", new() { Exact = true }).FillAsync("أين طلبي؟");
        await chat.Page.GetByLabel("الرسالة", new() { Exact = true }).PressAsync("Enter");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("أُرسلت");
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync(session, "غادر طلبك المستودع **اليوم**، رقم التتبع `TRK-42`:\n\n```bash\ncurl https://example.com/track/42\n```")).DataAsync();
        }
        var code = chat.AgentMessages.Locator("pre");
        await Expect(code).ToBeVisibleAsync();

        // The reader's own bubble sits on the left, the agent's on the right; the send button left of the box.
        var mine = await BoxAsync(chat.UserMessages.Last.Locator(".bubble"));
        var theirs = await BoxAsync(chat.AgentMessages.Last.Locator(".bubble"));
        Assert.True(mine.X + mine.Width < theirs.X + theirs.Width && mine.X < theirs.X, $"user bubble at {mine.X}, agent bubble at {theirs.X}");
        Assert.True((await BoxAsync(chat.SendButton)).X < (await BoxAsync(chat.Page.Locator("#message-input"))).X);
        await Expect(code).ToHaveCSSAsync("direction", "ltr");
        await Expect(code).ToHaveCSSAsync("text-align", "left");
        await Expect(chat.AgentMessages.Locator("p code")).ToHaveCSSAsync("direction", "ltr");
        await Screenshots.SaveAsync(chat.Page, "chat-ar.png");
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the Arabic chat");
    }

    [Fact]
    public async Task Arabic_on_a_phone_fits_the_chat_and_the_admin_console()
    {
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 360, height: 740, bypassCsp: true, locale: "ar"));
        await chat.GotoAsync();
        await chat.Page.GetByLabel("الرسالة", new() { Exact = true }).FillAsync("رسالة طويلة لنرى أن الفقاعات تلتف بدلًا من دفع الصفحة جانبًا على الهاتف: https://example.com/a/very/long/path/without/any/spaces");
        await chat.Page.GetByLabel("الرسالة", new() { Exact = true }).PressAsync("Enter");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("أُرسلت");
        await AssertFitsAsync(chat.Page);
        await Expect(chat.SendButton).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(chat.Page.Locator("#agent-select")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Screenshots.SaveAsync(chat.Page, "chat-ar-phone.png");
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the Arabic chat on a phone");

        await ArrangeSessionsAsync("session_ar");
        var admin = await SignInAsync(await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 844, bypassCsp: true, locale: "ar"), "مفتاح الإدارة", "تسجيل الدخول");
        await Expect(admin.Locator("#sessions-body tr")).ToHaveCountAsync(20);
        await admin.Locator("tr[data-session-id='session_ar_00']").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(admin.Locator("#admin-transcript .message-agent")).ToBeVisibleAsync();
        await AssertFitsAsync(admin);
        await Screenshots.SaveAsync(admin, "admin-ar-phone.png", admin.Locator("#sessions-title"));
        await AxeScan.AssertNoSeriousFindingsAsync(admin, "the Arabic admin console on a phone");
    }

    [Theory]
    [InlineData("ar", "إرسال")]
    [InlineData("ja", "送信")]
    [InlineData("de", "Senden")]
    public async Task The_widget_panel_has_no_serious_findings_in_each_language(string locale, string send)
    {
        var panel = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 380, height: 620, bypassCsp: true));
        await panel.Page.GotoAsync($"/widget/?locale={locale}&session=session_axe_panel_{locale}&title=Northwind");
        await panel.WaitUntilReadyAsync();
        await Expect(panel.Page.Locator("#send-label")).ToHaveTextAsync(send);
        // A new conversation's session is created by the page's connection (the socket or the first poll), so Broca can
        // answer it only once the page is live; on a busy machine the page is ready well before that.
        await panel.WaitUntilLiveAsync();
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync($"session_axe_panel_{locale}", Reply)).DataAsync();
        }
        await Expect(panel.AgentMessages.Locator(".code-block")).ToBeVisibleAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(panel.Page, $"the widget's panel in {locale}");

        // The conversation menu, open over the panel (380 px wide, as on a phone): inside the frame, and as clean.
        await panel.Page.Locator("#conversations-toggle").ClickAsync();
        var menu = panel.Page.Locator("#conversations");
        await Expect(menu).ToBeVisibleAsync();
        await Expect(menu.Locator(".conversation-item")).ToHaveCountAsync(1);
        await Expect(menu.Locator("#new-conversation")).ToBeInViewportAsync(new() { Ratio = 1 });
        Assert.True(await panel.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"the open menu widens the {locale} panel");
        await AxeScan.AssertNoSeriousFindingsAsync(panel.Page, $"the widget's conversation menu in {locale}");
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task The_admin_pager_and_every_control_pass_axe_with_more_than_a_page_of_sessions(ColorScheme scheme)
    {
        await ArrangeSessionsAsync($"session_pager_{scheme.ToString().ToLowerInvariant()}");
        var admin = await SignInAsync(await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900, colorScheme: scheme, bypassCsp: true), "Admin key", "Sign in");
        await Expect(admin.Locator("#next-page")).ToBeEnabledAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(admin, $"the admin console with a second page ({scheme})");
        await admin.Locator("#next-page").ClickAsync();
        await Expect(admin.Locator("#prev-page")).ToBeEnabledAsync();
        await AxeScan.AssertNoSeriousFindingsAsync(admin, $"the admin console's second page ({scheme})");
    }

    [Fact]
    public async Task The_language_menu_switches_the_page_and_every_page_remembers_the_choice()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await Expect(page.Locator("#send-label")).ToHaveTextAsync("Send");

        await page.GetByLabel("Language").SelectOptionAsync("de");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(page.Locator("#send-label")).ToHaveTextAsync("Senden");
        await page.ReloadAsync();
        await Expect(page.Locator("#send-label")).ToHaveTextAsync("Senden");
        await Expect(page.GetByLabel("Sprache")).ToHaveValueAsync("de");
        await page.GotoAsync("/admin");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" })).ToBeVisibleAsync();

        // ?locale= is a one-off (a link, an audit): it wins for that load and is not remembered.
        await page.GotoAsync("/?locale=fr");
        await Expect(page.Locator("#send-label")).ToHaveTextAsync("Envoyer");
        await page.GotoAsync("/");
        await Expect(page.Locator("#send-label")).ToHaveTextAsync("Senden");
    }

    [Fact]
    public async Task Plurals_numbers_durations_relative_times_and_api_errors_follow_each_language()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        async Task<string[]> Ask(string locale, string expression)
        {
            await page.GotoAsync($"/?locale={locale}");
            await Expect(page.Locator("#transcript")).ToHaveAttributeAsync("data-ready", "true");
            var result = await page.EvaluateAsync<JsonElement>($"async () => {{ const i = await import('/i18n.js'); await i.ready; return {expression}; }}");
            return [.. result.EnumerateArray().Select(item => item.GetString()!)];
        }

        Assert.Equal(
            ["Usunięto 1 nieaktywną sesję", "Usunięto 3 nieaktywne sesje", "Usunięto 5 nieaktywnych sesji", "Usunięto 22 nieaktywne sesje"],
            await Ask("pl", "[1, 3, 5, 22].map((count) => i.t('admin.cleaned', { count }))"));
        Assert.Equal(
            ["فتح المحادثة: 0 رد غير مقروء", "فتح المحادثة: 2 ردّان غير مقروءين", "فتح المحادثة: 3 ردود غير مقروءة", "فتح المحادثة: 11 ردًا غير مقروء"],
            await Ask("ar", "[0, 2, 3, 11].map((count) => i.t('widget.openUnread', { count }))"));
        Assert.Equal(
            ["45 s", "1 Std. 2 Min.", "2 T. 4 Std.", "12.345", "Ungültiger Wert für session_timeout: eine ganze Zahl von 60 bis 86.400", "Meldung des Servers: Something new"],
            await Ask("de", "[i.formatDuration(45), i.formatDuration(3725), i.formatDuration(187200), i.formatNumber(12345), "
                + "i.apiErrorText('Invalid value for session_timeout: an integer from 60 to 86400'), i.apiErrorText('Something new')]"));
        Assert.Equal(
            ["il y a 5\u00A0min", "Session introuvable", "api_key et admin_key"],
            await Ask("fr", "[i.formatRelative(Date.now() - 300000), i.apiErrorText('Session not found'), i.formatList(['api_key', 'admin_key'])]"));
        Assert.Equal(["1時間2分", "セッションが見つかりません"], await Ask("ja", "[i.formatDuration(3725), i.apiErrorText('Session not found')]"));
    }

    /// <summary>25 sessions, so the admin pager shows; the first answered, the others waiting in the backlog.</summary>
    private async Task ArrangeSessionsAsync(string prefix)
    {
        using var user = app.Anonymous();
        using var broca = app.Broca();
        for (var i = 0; i < 25; i++)
        {
            await (await user.PostMessageAsync($"{prefix}_{i:00}", $"Frage {i}")).DataAsync();
        }
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=1&offset=0")).DataAsync();
        await (await broca.PostReplyAsync($"{prefix}_00", Reply)).DataAsync();
    }

    private static async Task<IPage> SignInAsync(IPage page, string keyLabel, string signIn)
    {
        await page.GotoAsync("/admin");
        await page.GetByLabel(keyLabel).FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = signIn, Exact = true }).ClickAsync();
        await Expect(page.Locator("#sessions-body tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("#config-keys input").First).ToBeVisibleAsync();
        return page;
    }

    private static async Task AssertFitsAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"{page.Url} scrolls sideways: {await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")} px wide");

    private static async Task<LocatorBoundingBoxResult> BoxAsync(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("not on screen");

    [GeneratedRegex(@"^\d{2}:\d{2}$")]
    private static partial Regex TwentyFourHourTime();
}
