using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>The admin page's service dashboard: Chart.js charts and tables drawn from the <c>stats</c> action's answer.</summary>
[Collection(ConsoleBrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class DashboardTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    /// <summary>Today's traffic through the API (Athena's answered, one waiting), and earlier days written straight into the tables.</summary>
    public override async Task InitializeAsync()
    {
        if (app.Count("web_chat_messages") > 0)
        {
            return;
        }
        var athena = app.AddAgent("Athena");
        using (var user = app.Anonymous())
        using (var broca = app.Broca())
        {
            for (var i = 0; i < 3; i++)
            {
                await (await user.PostJsonAsync("messages", new { session_id = $"session_dash_{i}", message = "How do I reset my password?", agent_id = athena })).DataAsync();
            }
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync("session_dash_0", "Open Settings, then Security.")).DataAsync();
            await (await broca.PostReplyAsync("session_dash_1", "Open Settings, then Security.")).DataAsync();
            await (await user.PostMessageAsync("session_dash_waiting", "Is anyone there?")).DataAsync();
        }
        var today = DateTimeOffset.UtcNow.Date;
        // From two days back, so none of it falls in the last 24 hours.
        for (var day = 2; day <= 13; day++)
        {
            for (var n = 0; n < day % 5 + 1; n++)
            {
                var asked = new DateTimeOffset(today.AddDays(-day).AddHours(9 + n), TimeSpan.Zero);
                app.Execute("""
                    INSERT INTO web_chat_messages (session_id, message, timestamp, processed, answered_at) VALUES ('session_dash_0', 'earlier', $a, 1, $r);
                    INSERT INTO web_chat_responses (session_id, message_id, response, timestamp) VALUES ('session_dash_0', (SELECT MAX(id) FROM web_chat_messages), 'answer', $r);
                    """, ("$a", asked), ("$r", asked.AddSeconds((day * 7) + (n * 20))));
            }
        }
    }

    [Fact]
    public async Task The_charts_and_tables_show_the_stats_answer_and_the_latency_follows_the_agent_picker()
    {
        var page = await SignInAsync(Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900));
        var stats = await StatsAsync();

        Assert.Equal(Series(stats.GetProperty("hourly"), "messages", "replies"), await ChartDataAsync(page, "chart-hourly"));
        Assert.Equal(Series(stats.GetProperty("daily"), "messages", "replies"), await ChartDataAsync(page, "chart-daily"));
        var overall = stats.GetProperty("latency").GetProperty("overall");
        Assert.Equal(Series(overall, "p50_seconds", "p95_seconds"), await ChartDataAsync(page, "chart-latency"));
        Assert.Contains(overall.EnumerateArray(), d => d.GetProperty("answered").GetInt64() > 1);
        foreach (var chart in new[] { "chart-hourly", "chart-daily", "chart-latency" })
        {
            Assert.True(await PaintedPixelsAsync(page, chart) > 1000, $"{chart} is blank");
        }
        await Expect(page.Locator("#stats-waiting")).ToHaveTextAsync(stats.GetProperty("backlog").GetProperty("waiting").GetInt64().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#stats-day-messages")).ToHaveTextAsync("4");
        await Expect(page.Locator("#stats-day-replies")).ToHaveTextAsync("2");

        await page.GetByText("Per day as a table").ClickAsync();
        var rows = page.Locator("#table-daily tbody tr");
        await Expect(rows).ToHaveCountAsync(30);
        var twoDaysAgo = stats.GetProperty("daily")[27];
        Assert.True(twoDaysAgo.GetProperty("messages").GetInt64() > 0);
        await Expect(rows.Nth(27)).ToHaveTextAsync(
            $"{twoDaysAgo.GetProperty("start").GetString()![..10]}{twoDaysAgo.GetProperty("messages").GetInt64()}{twoDaysAgo.GetProperty("replies").GetInt64()}");
        await Expect(page.Locator("#table-hourly tbody tr")).ToHaveCountAsync(24);

        await page.GetByLabel("Latency of").SelectOptionAsync(new SelectOptionValue { Label = "Athena" });
        var athenaId = (long)app.Scalar("SELECT id FROM agents WHERE name = 'Athena'")!;
        var athena = stats.GetProperty("latency").GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agent_id").GetInt64() == athenaId);
        Assert.Equal(Series(athena.GetProperty("daily"), "p50_seconds", "p95_seconds"), await ChartDataAsync(page, "chart-latency"));
        await Expect(page.Locator("#table-latency tbody tr").Last).ToContainTextAsync(stats.GetProperty("daily")[29].GetProperty("start").GetString()![..10]);
    }

    [Theory]
    [InlineData(ColorScheme.Light, "admin-dashboard.png")]
    [InlineData(ColorScheme.Dark, "admin-dashboard-dark.png")]
    public async Task The_dashboard_has_no_serious_accessibility_findings_and_follows_the_theme(ColorScheme scheme, string screenshot)
    {
        var page = await SignInAsync(Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 1000, colorScheme: scheme, bypassCsp: true));
        await Screenshots.SaveAsync(page, screenshot);
        foreach (var table in new[] { "Per hour as a table", "Per day as a table", "Latency as a table" })
        {
            await page.GetByText(table).ClickAsync();
        }
        await AxeScan.AssertNoSeriousFindingsAsync(page, $"the service dashboard ({scheme})");

        var tickColour = await TickColourAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark mode" }).ClickAsync();
        Assert.NotEqual(tickColour, await TickColourAsync(page));
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark mode" }).ClickAsync();
        Assert.Equal(tickColour, await TickColourAsync(page));
    }

    [Fact]
    public async Task The_dashboard_fits_a_phone_and_draws_under_the_page_s_content_security_policy()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 390, height: 844);
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                refused.Add(message.Text);
            }
        };
        await SignInAsync(Task.FromResult(page));
        foreach (var table in new[] { "Per hour as a table", "Per day as a table", "Latency as a table" })
        {
            await page.GetByText(table).ClickAsync();
        }

        Assert.True(await PaintedPixelsAsync(page, "chart-daily") > 1000);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        Assert.Empty(refused);
    }

    private static async Task<IPage> SignInAsync(Task<IPage> opening)
    {
        var page = await opening;
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#table-daily tbody tr")).ToHaveCountAsync(30);
        return page;
    }

    private async Task<JsonElement> StatsAsync()
    {
        using var admin = app.Admin();
        return await (await admin.GetAsync("/api/v1/?action=stats")).DataAsync();
    }

    /// <summary>Each dataset's values as Chart.js holds them, nulls (no answered message that day) included.</summary>
    private static async Task<List<List<double?>>> ChartDataAsync(IPage page, string canvasId)
    {
        var data = await page.EvaluateAsync<JsonElement>("id => Chart.getChart(id).data.datasets.map(d => d.data)", canvasId);
        return [.. data.EnumerateArray().Select(set => set.EnumerateArray().Select(Number).ToList())];
    }

    private static List<List<double?>> Series(JsonElement buckets, params string[] fields) =>
        [.. fields.Select(f => buckets.EnumerateArray().Select(b => Number(b.GetProperty(f))).ToList())];

    private static double? Number(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();

    private static Task<int> PaintedPixelsAsync(IPage page, string canvasId) => page.EvaluateAsync<int>("""
        id => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) {
                if (pixels[i] > 0) painted++;
            }
            return painted;
        }
        """, canvasId);

    private static Task<string> TickColourAsync(IPage page) =>
        page.EvaluateAsync<string>("() => Chart.getChart('chart-daily').options.scales.y.ticks.color");

}
