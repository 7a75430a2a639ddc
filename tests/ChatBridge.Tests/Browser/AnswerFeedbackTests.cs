using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// What the page shows around an answer: 👍/👎 with a reason, the agent's presence in the header and a gentle note for
/// a message waiting long, and the read receipt (`seen`) for replies shown.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AnswerFeedbackTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task A_reply_is_rated_up_then_down_with_a_reason_then_unrated_and_the_rating_survives_a_reload()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, bypassCsp: true);
        var ratings = Record(page, "feedback");
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("How do I reset my password?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using (var broca = app.Broca())
        {
            await (await broca.PostReplyAsync(session, "Open Settings, then Security, then Reset.")).DataAsync();
        }
        var reply = chat.AgentMessages.Last;
        var up = reply.GetByRole(AriaRole.Button, new() { Name = "Good reply" });
        var down = reply.GetByRole(AriaRole.Button, new() { Name = "Bad reply" });
        await Expect(reply.GetByRole(AriaRole.Group, new() { Name = "Rate this reply" })).ToBeVisibleAsync();
        await Expect(up).ToHaveAttributeAsync("aria-pressed", "false");
        var responseId = int.Parse((await reply.GetAttributeAsync("data-response-id"))!, System.Globalization.CultureInfo.InvariantCulture);

        await up.ClickAsync();
        await Expect(up).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(reply.GetByRole(AriaRole.Status)).ToHaveTextAsync("Thanks for your feedback");

        await down.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "What was wrong with this reply?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(down).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(up).ToHaveAttributeAsync("aria-pressed", "false");
        await Screenshots.SaveAsync(page, "chat-feedback.png");
        await AxeScan.AssertNoSeriousFindingsAsync(page, "the feedback dialog");
        await dialog.GetByLabel("It does not help").CheckAsync();
        await dialog.GetByLabel("Tell us more (optional)").FillAsync("Too   vague");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(down).ToBeFocusedAsync();

        await Eventually.UntilAsync(() => ratings.Count == 3, "three ratings posted");
        Assert.Equal(["up", "down", "down"], ratings.Select(r => r.GetProperty("rating").GetString()));
        Assert.All(ratings, r => Assert.Equal(responseId, r.GetProperty("response_id").GetInt32()));
        Assert.All(ratings, r => Assert.Equal(session, r.GetProperty("session_id").GetString()));
        Assert.Equal("unhelpful: Too vague", ratings.Last().GetProperty("reason").GetString());

        await page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(down).ToHaveAttributeAsync("aria-pressed", "true");

        // The admin's transcript shows the rating with its reason and that the visitor's page showed the reply, and
        // "Rated down" finds the session. A page reports a reply seen a second after showing it, which the reload may
        // have cut short on a quiet machine; the reloaded page's report then reaches the open transcript live.
        // A Broca that keeps polling, as the real one does: "online" means a poll within three of its intervals (at
        // least 3 s), and the admin's steps below may take longer than that on a busy machine.
        using var poller = app.Broca();
        using var stopPolling = new CancellationTokenSource();
        var polling = KeepPollingAsync(poller, stopPolling.Token);
        var admin = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await admin.GotoAsync("/admin");
        await admin.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await admin.GetByLabel("Rated down").CheckAsync();
        await Expect(admin.Locator("tr[data-session-id]")).ToHaveCountAsync(1);
        await admin.Locator($"tr[data-session-id='{session}']").GetByRole(AriaRole.Button).ClickAsync();
        var adminReply = admin.Locator("#admin-transcript .message-agent");
        await Expect(adminReply.Locator(".reply-rating")).ToHaveTextAsync("👎 Rated down: It does not help (Too vague)");
        await Expect(adminReply.Locator(".reply-seen")).ToHaveTextAsync("Seen");
        // The dashboard's satisfaction per day and agent, and the Broca that polled (the service-wide key) with what waits.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(admin.Locator("#table-satisfaction tbody tr").First.Locator("th, td")).ToHaveTextAsync([today, "Assistant", "0", "1", "0%"]);
        var brocas = admin.Locator("#broca-list .broca-item");
        await Expect(brocas).ToHaveCountAsync(1);
        await Expect(brocas).ToHaveAttributeAsync("data-online", "true");
        await Expect(brocas).ToContainTextAsync(new Regex("^Sessions without an agent · polling · last poll .+ · \\d+ waiting · oldest waiting since "));
        await stopPolling.CancelAsync();
        await polling;

        await down.ClickAsync();
        await Expect(down).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(reply.GetByRole(AriaRole.Status)).ToHaveTextAsync("Rating removed");
        // The admin's open transcript follows the visitor's receipts as they come.
        await Expect(adminReply.Locator(".reply-rating")).ToHaveCountAsync(0);
        await Expect(adminReply.Locator(".reply-seen")).ToHaveTextAsync("Seen");
        await Eventually.UntilAsync(() => ratings.Count == 4, "the rating taken back");
        Assert.Equal("none", ratings.Last().GetProperty("rating").GetString());
        await page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(up).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(down).ToHaveAttributeAsync("aria-pressed", "false");
    }

    private static async Task KeepPollingAsync(HttpClient broca, CancellationToken stop)
    {
        using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0", stop)).DataAsync();
            }
            while (await every.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    [Fact]
    public async Task The_header_shows_the_agents_presence_refreshed_and_a_long_wait_gets_a_gentle_note()
    {
        var agentId = app.AddAgent("Iris");
        var presence = new JsonObject { ["online"] = true, ["typical_reply_seconds"] = 12 };
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Clock.InstallAsync();
        // The agents' presence as the server would tell it, whatever the host's Broca is doing.
        await page.RouteAsync(AgentsCall(), async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!;
            foreach (var agent in body["data"]!["agents"]!.AsArray())
            {
                agent!["online"] = presence["online"]!.DeepClone();
                agent["typical_reply_seconds"] = presence["typical_reply_seconds"]?.DeepClone();
            }
            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        var line = page.Locator("#agent-presence");
        await Expect(line).ToHaveTextAsync("online · usually replies in about 12 s");
        await Expect(line).ToHaveAttributeAsync("data-online", "true");

        await chat.SendAsync("Are you there, Iris?");
        var mine = chat.UserMessages.Last;
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        await Expect(mine.Locator(".message-note")).ToHaveCountAsync(0);
        await page.Clock.RunForAsync(25_000);
        await Expect(mine.Locator(".message-note")).ToHaveTextAsync("This is taking longer than usual. Iris will answer as soon as possible.");
        await Screenshots.SaveAsync(page, "chat-presence.png");

        presence["online"] = false;
        presence["typical_reply_seconds"] = null;
        await page.Clock.RunForAsync(30_000);
        await Expect(line).ToHaveTextAsync("offline · your message will be answered when Iris is back");
        await Expect(line).ToHaveAttributeAsync("data-online", "false");

        using (var broca = app.Broca())
        {
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Delivered");
            await (await broca.PostReplyAsync(await chat.SessionIdAsync(), "Here now.")).DataAsync();
        }
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Answered");
        await Expect(mine.Locator(".message-note")).ToHaveCountAsync(0);

        await chat.SendAsync("And again, while you are away");
        await Expect(chat.UserMessages.Last.Locator(".message-note")).ToHaveTextAsync(
            "Iris is away right now; your message will be answered when they are back.");
        Assert.True(agentId > 0);
    }

    [Fact]
    public async Task A_reply_shown_in_a_visible_tab_is_reported_seen_once_and_a_hidden_tab_waits_until_it_is_shown()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Clock.InstallAsync();
        var seen = Record(page, "seen");
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Tell me when you read this");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        var first = (await (await broca.PostReplyAsync(session, "First reply")).DataAsync()).GetProperty("response_id").GetInt64();
        await Expect(chat.AgentMessages).ToHaveCountAsync(1);
        await page.Clock.RunForAsync(1_500);
        await Eventually.UntilAsync(() => seen.Count == 1, "the first reply reported seen");
        Assert.Equal(first, seen.Single().GetProperty("response_id").GetInt64());
        Assert.Equal(session, seen.Single().GetProperty("session_id").GetString());

        // Hidden, the page shows the reply but does not claim it was seen until the tab comes back.
        await page.EvaluateAsync("""
            () => {
                Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
                document.dispatchEvent(new Event('visibilitychange'));
            }
            """);
        var second = (await (await broca.PostReplyAsync(session, "Second reply")).DataAsync()).GetProperty("response_id").GetInt64();
        await Expect(chat.AgentMessages).ToHaveCountAsync(2);
        await page.Clock.RunForAsync(5_000);
        Assert.Single(seen);
        await page.EvaluateAsync("""
            () => {
                Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
                document.dispatchEvent(new Event('visibilitychange'));
            }
            """);
        await page.Clock.RunForAsync(1_500);
        await Eventually.UntilAsync(() => seen.Count == 2, "the second reply reported seen");
        Assert.Equal(second, seen.Last().GetProperty("response_id").GetInt64());
    }

    /// <summary>The JSON bodies the page posts to one action, in order.</summary>
    private static ConcurrentQueue<JsonElement> Record(IPage page, string action)
    {
        var bodies = new ConcurrentQueue<JsonElement>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.Contains($"action={action}", StringComparison.Ordinal) && request.PostData is { } body)
            {
                bodies.Enqueue(JsonDocument.Parse(body).RootElement.Clone());
            }
        };
        return bodies;
    }

    [GeneratedRegex("action=agents")]
    private static partial Regex AgentsCall();
}
