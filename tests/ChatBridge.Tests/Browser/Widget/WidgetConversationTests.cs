using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser.Widget;

/// <summary>
/// The widget's conversations: a menu in the panel (New conversation, the list, switching, removing), kept with each
/// session's token in the host site's storage; the token reaches the panel in the address's fragment and goes to the
/// bridge only as a header.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class WidgetConversationTests(BrowserFixture browser, WidgetSites sites) : BrowserTest(browser), IClassFixture<WidgetSites>
{
    private const string Options = """{ title: "Ask Northwind", theme: "light" }""";

    [Fact]
    public async Task The_panels_menu_starts_and_switches_conversations_kept_with_their_tokens_in_the_sites_storage()
    {
        sites.Site.Serve("/conversations.html", HostPages.Page(HostPages.QueueFirst(sites.BridgeUrl, Options)));
        var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/conversations.html", width: 1280, height: 860);
        var calls = new ConcurrentQueue<(string Url, string? Token)>();
        widget.Page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/v1/", StringComparison.Ordinal))
            {
                calls.Enqueue((request.Url, request.Headers.TryGetValue("x-session-token", out var token) ? token : null));
            }
        };
        await widget.OpenPanelAsync();
        var first = await widget.SessionIdAsync();
        // The panel took its token out of its address before anything else ran.
        Assert.DoesNotContain("#", await widget.Panel.Locator("html").EvaluateAsync<string>("() => location.href"), StringComparison.Ordinal);
        await widget.SendAsync("Do you ship to Norway?");
        await Expect(widget.StatusOf(widget.UserMessages.Last)).ToHaveTextAsync("Sent");

        var token = await SiteTokenAsync(widget, first);
        Assert.Matches(TokenPattern(), token);
        Assert.Contains(calls, c => c.Url.Contains("action=messages", StringComparison.Ordinal) && c.Token == token);
        Assert.DoesNotContain(calls, c => c.Url.Contains(token, StringComparison.Ordinal));

        var menu = widget.Panel.GetByRole(AriaRole.Button, new() { Name = "Conversations" });
        var list = widget.Panel.GetByRole(AriaRole.Complementary, new() { Name = "Conversations" });
        await Expect(list).ToBeHiddenAsync();
        await menu.ClickAsync();
        await Expect(list).ToBeVisibleAsync();
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await list.GetByRole(AriaRole.Button, new() { Name = "New conversation", Exact = true }).ClickAsync();
        await Expect(list).ToBeHiddenAsync();
        await Expect(widget.Transcript).Not.ToHaveAttributeAsync("data-session-id", first);
        await Expect(widget.Transcript).ToHaveAttributeAsync("data-ready", "true");
        var second = await widget.SessionIdAsync();
        await widget.SendAsync("And what about returns?");
        await Expect(widget.StatusOf(widget.UserMessages.Last)).ToHaveTextAsync("Sent");
        Assert.Matches(TokenPattern(), await SiteTokenAsync(widget, second));
        Assert.NotEqual(token, await SiteTokenAsync(widget, second));

        await menu.ClickAsync();
        await Expect(list.Locator(".conversation-title")).ToHaveTextAsync(["And what about returns?", "Do you ship to Norway?"]);
        await Screenshots.SaveAsync(widget.Page, "widget-conversations.png");
        await list.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Do you ship to Norway") }).ClickAsync();
        await Expect(widget.Transcript).ToHaveAttributeAsync("data-session-id", first);
        await Expect(widget.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Do you ship to Norway?"]);

        // Another page of the site opens the conversation last shown, with the same list.
        var other = await widget.NewTabAsync("/conversations.html");
        await other.OpenPanelAsync();
        Assert.Equal(first, await other.SessionIdAsync());
        await other.Panel.GetByRole(AriaRole.Button, new() { Name = "Conversations" }).ClickAsync();
        var otherList = other.Panel.GetByRole(AriaRole.Complementary, new() { Name = "Conversations" });
        await Expect(otherList.Locator(".conversation-item")).ToHaveCountAsync(2);

        // Removed from the list there, it is gone from the site's list.
        await otherList.GetByRole(AriaRole.Button, new() { Name = "Remove “And what about returns?” from the list" }).ClickAsync();
        await Expect(otherList.Locator(".conversation-title")).ToHaveTextAsync(["Do you ship to Norway?"]);
        await Eventually.UntilAsync(async () => (await SiteListAsync(other)).Any(e => e.GetProperty("id").GetString() == second && e.GetProperty("hidden").GetBoolean()), "the site's list marks it hidden");
    }

    [Fact]
    public async Task The_panel_rates_a_reply_and_shows_the_agents_presence()
    {
        sites.Site.Serve("/rate.html", HostPages.Page(HostPages.QueueFirst(sites.BridgeUrl, Options)));
        var widget = await WidgetPage.OpenAsync(Browser, sites.Site, "/rate.html");
        // The panel's agents answer as a server whose Broca is polling would give it (routes cover the page's frames).
        await widget.Page.RouteAsync(AgentsCall(), async route =>
        {
            var response = await route.FetchAsync();
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!;
            body["data"]!["agents"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = null, ["name"] = "Assistant", ["description"] = "", ["online"] = true, ["typical_reply_seconds"] = 90,
            });
            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });
        await widget.OpenPanelAsync();
        await widget.WaitUntilLiveAsync();
        await Expect(widget.Panel.Locator("#agent-presence")).ToHaveTextAsync("online · usually replies in about 1 min");

        var session = await widget.SessionIdAsync();
        await widget.SendAsync("Is the Ridge tent waterproof?");
        await Expect(widget.StatusOf(widget.UserMessages.Last)).ToHaveTextAsync("Sent");
        using (var broca = sites.Bridge.Broca())
        {
            await (await broca.PostReplyAsync(session, "Yes, to 3 000 mm.")).DataAsync();
        }
        var up = widget.AgentMessages.Last.GetByRole(AriaRole.Button, new() { Name = "Good reply" });
        await up.ClickAsync();
        await Expect(up).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(widget.AgentMessages.Last.GetByRole(AriaRole.Status)).ToHaveTextAsync("Thanks for your feedback");

        // After a reload the rating comes back with the history, though the panel keeps nothing itself.
        await widget.Page.ReloadAsync();
        await widget.OpenPanelAsync();
        await Expect(widget.AgentMessages.Last.GetByRole(AriaRole.Button, new() { Name = "Good reply" })).ToHaveAttributeAsync("aria-pressed", "true");
    }

    [Fact]
    public async Task A_conversation_the_old_widget_kept_opens_without_a_token_as_before()
    {
        const string legacy = "session_kept_by_the_old_widget_1";
        using (var visitor = sites.Bridge.Anonymous())
        {
            await (await visitor.PostMessageAsync(legacy, "Asked with the old widget")).DataAsync();
        }
        sites.Site.Serve("/legacy.html", HostPages.Page(HostPages.QueueFirst(sites.BridgeUrl, Options)));
        var page = await Browser.NewPageAsync(sites.Site.BaseUrl);
        await page.AddInitScriptAsync($"if (location.pathname === '/legacy.html') {{ localStorage.setItem('sanctumchat.session.default', '{legacy}'); }}");
        var tokens = new ConcurrentQueue<string?>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains(legacy, StringComparison.Ordinal))
            {
                tokens.Enqueue(request.Headers.TryGetValue("x-session-token", out var token) ? token : null);
            }
        };
        await page.GotoAsync("/legacy.html");
        var widget = new WidgetPage(page);
        await widget.OpenPanelAsync();
        Assert.Equal(legacy, await widget.SessionIdAsync());
        await Expect(widget.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Asked with the old widget"]);
        await widget.WaitUntilLiveAsync();
        await widget.SendAsync("Still there?");
        await Expect(widget.StatusOf(widget.UserMessages.Last)).ToHaveTextAsync("Sent");
        Assert.NotEmpty(tokens);
        Assert.All(tokens, Assert.Null);
    }

    [GeneratedRegex("action=agents")]
    private static partial Regex AgentsCall();

    private static async Task<JsonElement[]> SiteListAsync(WidgetPage widget) =>
        [.. (await widget.Page.EvaluateAsync<JsonElement>("() => JSON.parse(localStorage.getItem('sanctumchat.conversations') ?? '[]')")).EnumerateArray()];

    private static async Task<string> SiteTokenAsync(WidgetPage widget, string session)
    {
        string? token = null;
        await Eventually.UntilAsync(async () =>
        {
            token = (await SiteListAsync(widget)).FirstOrDefault(e => e.GetProperty("id").GetString() == session) is { ValueKind: JsonValueKind.Object } entry
                ? entry.GetProperty("token").GetString()
                : null;
            return token is not null;
        }, $"the site's storage holds {session} with its token");
        return token!;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex TokenPattern();
}
