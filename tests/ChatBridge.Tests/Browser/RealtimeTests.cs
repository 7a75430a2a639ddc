using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>Replies, delivery states and typing reach the page over the WebSocket, or by long polling without one.</summary>
[Collection(BrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class RealtimeTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task Reply_arrives_over_the_WebSocket_once_and_the_page_never_polls()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var requests = new ConcurrentQueue<string>();
        var sockets = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);
        page.WebSocket += (_, socket) => sockets.Enqueue(socket.Url);
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        await Expect(chat.ConnectionState).ToHaveTextAsync("Live");
        var session = await chat.SessionIdAsync();

        await chat.SendAsync("Over the socket, please");
        var mine = chat.UserMessages.Last;
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Delivered");
        await (await broca.PostReplyAsync(session, "Pushed to you")).DataAsync();

        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Pushed to you"]);
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Answered");
        // A repeat of the first reply would arrive before a second one sent now: the socket keeps its order.
        await (await broca.PostReplyAsync(session, "And again")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Pushed to you", "And again"]);
        Assert.DoesNotContain(requests, url => url.Contains("action=responses", StringComparison.Ordinal));
        Assert.Equal([$"{WebSocketBase()}?session_id={session}"], sockets);
    }

    [Fact]
    public async Task Typing_indicator_follows_Brocas_start_and_stop_and_a_reply_ends_it()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Are you writing?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        await Expect(chat.TypingIndicator).ToBeHiddenAsync();

        await (await broca.PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        await Expect(chat.TypingIndicator).ToBeVisibleAsync();
        await Expect(chat.TypingIndicator).ToHaveTextAsync("Assistant is typing…");
        await (await broca.PostJsonAsync("typing", new { session_id = session, state = "stop" })).DataAsync();
        await Expect(chat.TypingIndicator).ToBeHiddenAsync();

        await (await broca.PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        await Expect(chat.TypingIndicator).ToBeVisibleAsync();
        await Screenshots.SaveAsync(chat.Page, "chat-typing.png");
        await (await broca.PostReplyAsync(session, "Yes, and here it is.")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Yes, and here it is."]);
        await Expect(chat.TypingIndicator).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Typing_indicator_hides_by_itself_when_no_stop_arrives()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Clock.InstallAsync(); // fake timers, so the page's safety timeout can be skipped
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("Still there?");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();

        await (await broca.PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        await Expect(chat.TypingIndicator).ToBeVisibleAsync();
        await page.Clock.RunForAsync(15_000);
        await Expect(chat.TypingIndicator).ToBeVisibleAsync();
        await page.Clock.RunForAsync(6_000);
        await Expect(chat.TypingIndicator).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Delivered_state_that_arrives_before_the_send_returns_is_not_lost()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var chat = new ChatPage(page);
        var socket = await page.RunAndWaitForWebSocketAsync(chat.GotoAsync);
        await chat.WaitUntilLiveAsync();
        using var broca = app.Broca();
        await page.RouteAsync("**/api/v1/?action=messages", async route =>
        {
            // The message is stored and claimed by Broca, and the page has its "delivered" over the socket, before the
            // page hears back from its send.
            var stored = await route.FetchAsync();
            var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            socket.FrameReceived += (_, frame) =>
            {
                if (frame.Text?.Contains("\"delivered\"", StringComparison.Ordinal) == true)
                {
                    delivered.TrySetResult();
                }
            };
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.FulfillAsync(new() { Response = stored });
        });

        await chat.SendAsync("Quick, Broca");

        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Delivered");
    }

    [Fact]
    public async Task Dropped_socket_reconnects_after_the_last_reply_and_a_reply_sent_meanwhile_appears_once()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var routes = new ConcurrentQueue<IWebSocketRoute>();
        await page.Context.RouteWebSocketAsync("**/api/v1/ws**", route =>
        {
            // The first socket goes straight through; later ones wait until the test lets them reach the server.
            if (routes.IsEmpty)
            {
                route.ConnectToServer();
            }
            routes.Enqueue(route);
        });
        await page.Clock.InstallAsync();
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();
        var before = await (await broca.PostReplyAsync(session, "Before the drop")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Before the drop"]);
        // A reply pushed just before a drop is replayed once more in case a sibling was pushed out of order;
        // after this long on the page's clock it counts as settled and the page resumes after it.
        await page.Clock.FastForwardAsync(2500);

        Assert.True(routes.TryPeek(out var first));
        await first.CloseAsync(new() { Code = 1001, Reason = "Server shutting down" });
        await UntilAsync(() => routes.Count >= 2); // the page is reconnecting
        await (await broca.PostReplyAsync(session, "While you were away")).DataAsync();
        var second = routes.ToArray()[1];
        Assert.Equal($"{WebSocketBase()}?session_id={session}&after_id={before.GetProperty("response_id").GetInt64()}", second.Url);
        second.ConnectToServer();

        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Before the drop", "While you were away"]);
        await (await broca.PostReplyAsync(session, "And live again")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Before the drop", "While you were away", "And live again"]);
        await chat.WaitUntilLiveAsync();
        // Nothing is repeated: a repeat would come before a reply sent now.
        await (await broca.PostReplyAsync(session, "Still here")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Before the drop", "While you were away", "And live again", "Still here"]);
        Assert.Equal(2, routes.Count);
    }

    [Fact]
    public async Task Without_WebSocket_replies_arrive_by_long_polling()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.AddInitScriptAsync("delete window.WebSocket");
        var polls = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("action=responses", StringComparison.Ordinal))
            {
                polls.Enqueue(request.Url);
            }
        };
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync("polling");
        var session = await chat.SessionIdAsync();

        await chat.SendAsync("No sockets here");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using var broca = app.Broca();
        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await (await broca.PostReplyAsync(session, "Long polling works too")).DataAsync();

        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Long polling works too"]);
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Answered");
        // A poll that handed the first reply out again would do so before a second one sent now.
        await (await broca.PostReplyAsync(session, "Still by long polling")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Long polling works too", "Still by long polling"]);
        Assert.All(polls, url => Assert.Contains("wait=25", url, StringComparison.Ordinal));
        // Held calls, not a stream of them: the one each reply ended, perhaps the next already waiting.
        Assert.InRange(polls.Count, 2, 4);
    }

    [Fact]
    public async Task Sockets_that_keep_failing_give_way_to_long_polling()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        await page.Context.RouteWebSocketAsync("**/api/v1/ws**", route => route.CloseAsync(new() { Code = 1011 }));
        var chat = new ChatPage(page);
        await chat.GotoAsync();
        await chat.WaitUntilLiveAsync("polling");
        await Expect(chat.ConnectionBanner).ToBeHiddenAsync();
        var session = await chat.SessionIdAsync();

        using var broca = app.Broca();
        await (await broca.PostReplyAsync(session, "Through the fallback")).DataAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text")).ToHaveTextAsync(["Through the fallback"]);
        await Expect(chat.ConnectionState).ToHaveTextAsync("Live (polling)");
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the condition.");
            await Task.Delay(50);
        }
    }

    private string WebSocketBase() => $"ws://{app.BaseUrl.Authority}/api/v1/ws";
}
