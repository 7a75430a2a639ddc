using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>The admin console as an operator runs it: stepping into a conversation, finding and triaging sessions, live updates.</summary>
[Collection(ConsoleBrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class AdminConsoleTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task A_person_s_reply_from_the_transcript_reaches_the_open_chat_by_push_marked_as_from_a_person()
    {
        var chat = await ChatPage.OpenAsync(Browser, app, clock: true);
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("My order never arrived");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using (var broca = app.Broca())
        {
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync(session, "I'm sorry to hear that.")).DataAsync();
        }
        await Expect(chat.AgentMessages).ToHaveCountAsync(1);

        var admin = await SignInAsync();
        await admin.Locator($"tr[data-session-id='{session}']").GetByRole(AriaRole.Button, new() { Name = $"Open {session}" }).ClickAsync();
        await Expect(admin.Locator("#admin-transcript .message-author")).ToHaveTextAsync(["Agent"]);
        await admin.GetByLabel("Reply as a person").FillAsync("Hi, I'm Sam from support. I've **resent** your order.");
        // The chat's own timers stand still from here: the reply can only come over its open WebSocket.
        await chat.Page.Clock.PauseSoonAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();

        var person = chat.AgentMessages.Last;
        await Expect(person.Locator(".bubble-text")).ToHaveTextAsync("Hi, I'm Sam from support. I've resent your order.");
        await chat.Page.Clock.ResumeAsync();
        await Expect(person.Locator(".message-author")).ToHaveTextAsync("Support (person)");
        await Expect(person).ToHaveAttributeAsync("aria-label", "Support (person)");
        // Tests of this class share one host: the page's agent is whichever it offers first.
        await Expect(chat.AgentMessages.First.Locator(".message-author")).ToHaveTextAsync((await chat.Page.Locator("#agent-name").TextContentAsync())!);
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Answered");

        await Expect(admin.Locator("#admin-transcript .message-author")).ToHaveTextAsync(["Agent", "Person (admin)"]);
        await Expect(admin.GetByLabel("Reply as a person")).ToHaveValueAsync("");
        await Screenshots.SaveAsync(chat.Page, "chat-person-reply.png");
    }

    [Fact]
    public async Task Admin_finds_sessions_by_text_agent_and_waiting_and_reads_the_backlog_oldest_first()
    {
        var athena = app.AddAgent("Athena");
        using (var user = app.Anonymous())
        using (var broca = app.Broca())
        {
            await (await user.PostJsonAsync("messages", new { session_id = "session_triage_answered", message = "triage: my invoice is wrong", agent_id = athena })).DataAsync();
            await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
            await (await broca.PostReplyAsync("session_triage_answered", "Fixed it.")).DataAsync();
            await (await user.PostMessageAsync("session_triage_parcel", "triage: where is the parcel?")).DataAsync();
            await (await user.PostJsonAsync("messages", new { session_id = "session_triage_refund", message = "triage: refund please", agent_id = athena })).DataAsync();
        }
        // Stuck: a working Broca left it unanswered three times, and it waits out its back-off.
        app.Execute("""
            UPDATE web_chat_messages SET delivery_count = 3, strikes = 3, not_before = '2999-01-01T00:00:00.000Z'
            WHERE message = 'triage: where is the parcel?'
            """);
        var page = await SignInAsync();
        var rows = page.Locator("#sessions-body tr[data-session-id^='session_triage_']");

        await page.GetByLabel("Search").FillAsync("PARCEL");
        await Expect(page.Locator("#sessions-body tr")).ToHaveCountAsync(1);
        await Expect(rows).ToHaveAttributeAsync("data-session-id", "session_triage_parcel");

        await page.GetByLabel("Search").FillAsync("");
        await page.GetByLabel("Agent", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Athena" });
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Locator(".session-id")).ToHaveTextAsync(["session_triage_refund", "session_triage_answered"]);
        await Expect(rows.First).ToContainTextAsync("Athena");

        await page.GetByLabel("Waiting for an answer").CheckAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToHaveAttributeAsync("data-session-id", "session_triage_refund");

        await page.GetByLabel("Search").FillAsync("no such conversation");
        await Expect(page.Locator("#sessions-body")).ToHaveTextAsync("No sessions match.");

        var backlog = page.Locator(".backlog-item", new() { HasText = "triage:" });
        await Expect(backlog.Locator(".backlog-text")).ToHaveTextAsync(["triage: where is the parcel?", "triage: refund please"]);
        await Expect(backlog.Locator(".backlog-age")).ToHaveTextAsync([new Regex(@"^waiting \d+ s$"), new Regex(@"^waiting \d+ s$")]);
        await Expect(backlog.First).ToContainTextAsync("not answered after 3 deliveries");
        await Expect(backlog.First).ToContainTextAsync("needs a person");
        await Expect(backlog.Last).ToContainTextAsync("pending");
        await Expect(backlog.Last.GetByRole(AriaRole.Button, new() { Name = "Drop" })).ToHaveCountAsync(0);
        await page.GetByLabel("Search").FillAsync("");
        await Expect(rows).ToHaveAttributeAsync("data-session-id", "session_triage_refund");
        await Screenshots.SaveAsync(page, "admin-triage.png", page.Locator("section[aria-labelledby='sessions-title']"));

        await backlog.First.GetByRole(AriaRole.Button, new() { Name = "Open session_triage_parcel" }).ClickAsync();
        await page.GetByLabel("Reply as a person").FillAsync("It left the depot this morning.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(backlog.Locator(".backlog-text")).ToHaveTextAsync(["triage: refund please"]);
    }

    [Fact]
    public async Task A_stuck_message_is_handed_out_again_or_dropped_with_the_backlog_s_buttons()
    {
        long retried, dropped;
        using (var user = app.Anonymous())
        {
            retried = (await (await user.PostMessageAsync("session_stuck_retry", "stuck: hand me out again")).DataAsync()).GetProperty("message_id").GetInt64();
            dropped = (await (await user.PostMessageAsync("session_stuck_drop", "stuck: nobody should see me")).DataAsync()).GetProperty("message_id").GetInt64();
        }
        app.Execute("""
            UPDATE web_chat_messages SET delivery_count = 3, strikes = 3, not_before = '2999-01-01T00:00:00.000Z'
            WHERE message LIKE 'stuck: %'
            """);
        var page = await SignInAsync();
        var retry = page.Locator(".backlog-item", new() { HasText = "stuck: hand me out again" });
        var drop = page.Locator(".backlog-item", new() { HasText = "stuck: nobody should see me" });
        await Expect(retry).ToContainTextAsync("needs a person");

        await retry.GetByRole(AriaRole.Button, new() { Name = $"Hand message {retried} to the agent again now" }).ClickAsync();

        await Expect(page.Locator("#admin-notice")).ToHaveTextAsync($"Message {retried} goes to the agent again now.");
        await Expect(retry).Not.ToContainTextAsync("needs a person");
        await Expect(retry.GetByRole(AriaRole.Button, new() { Name = "Retry now" })).ToHaveCountAsync(0);

        await drop.GetByRole(AriaRole.Button, new() { Name = $"Drop message {dropped}: never hand it to the agent again" }).ClickAsync();

        await Expect(page.Locator("#admin-notice")).ToHaveTextAsync($"Message {dropped} dropped: it is not handed to the agent again.");
        await Expect(drop).ToHaveCountAsync(0);
        using var broca = app.Broca();
        var claimed = (await (await broca.GetAsync("/api/v1/?action=inbox&limit=100&offset=0")).DataAsync()).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(retried, claimed);
        Assert.DoesNotContain(dropped, claimed);
        using var user2 = app.Anonymous();
        var history = await (await user2.GetAsync("/api/v1/?action=history&session_id=session_stuck_drop")).DataAsync();
        Assert.Equal("dropped", history.GetProperty("messages")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_session_list_backlog_and_open_transcript_follow_new_messages_and_replies_by_push()
    {
        const string first = "session_live_first";
        using var user = app.Anonymous();
        using var broca = app.Broca();
        await (await user.PostMessageAsync(first, "live: first question")).DataAsync();
        var page = await SignInAsync(pausedClock: true);
        var requests = new System.Collections.Concurrent.ConcurrentQueue<IRequest>();
        page.Request += (_, request) => requests.Enqueue(request);
        await page.Locator($"tr[data-session-id='{first}']").GetByRole(AriaRole.Button, new() { Name = $"Open {first}" }).ClickAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync(["live: first question"]);
        // A quiet minute of the page's time: it holds one request open and asks for nothing else.
        await page.Clock.RunForAsync(60_000);
        Assert.DoesNotContain(requests, r => r.Url.Contains("action=sessions", StringComparison.Ordinal));

        // The page's timers only move when the test moves them: a change shows because the open request answered.
        await PushedAsync(page, () => user.PostMessageAsync("session_live_second", "live: a new conversation"));
        await Expect(page.Locator("tr[data-session-id='session_live_second']")).ToBeVisibleAsync();
        await Expect(page.Locator(".backlog-item", new() { HasText = "live: a new conversation" })).ToBeVisibleAsync();

        await (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        await PushedAsync(page, () => broca.PostReplyAsync(first, "live: the agent answers"));
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync(["live: first question", "live: the agent answers"]);
        await Expect(page.Locator($"tr[data-session-id='{first}'] td").Nth(2)).ToHaveTextAsync("1");

        var events = requests.Where(r => r.Url.Contains("action=admin_events", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(events);
        Assert.All(requests, r => Assert.DoesNotContain(BridgeApp.AdminKey, r.Url, StringComparison.Ordinal));
        Assert.All(events, r => Assert.Equal($"Bearer {BridgeApp.AdminKey}", r.Headers["authorization"]));
    }

    [Fact]
    public async Task A_click_on_a_session_holds_when_a_live_update_redraws_the_list_under_it()
    {
        const string older = "session_click_older";
        const string newer = "session_click_newer";
        using var user = app.Anonymous();
        await (await user.PostMessageAsync(older, "click: the older one")).DataAsync();
        await (await user.PostMessageAsync(newer, "click: the newer one")).DataAsync();
        var page = await SignInAsync(loaded: true);
        var open = page.Locator($"tr[data-session-id='{older}']").GetByRole(AriaRole.Button, new() { Name = $"Open {older}" });
        // Hovering waits for the button to stand still (the page may still be scrolling it into view); a position read
        // once could be stale by the time the mouse goes down, and the press would land beside the button.
        await open.HoverAsync();

        // Pressed, then the list is redrawn by a live update (the newer session, still first, gains a message), then
        // let go over the same button: the click opens the session, as a person's would. Were the button replaced by
        // an equal one, the release would be over another element than the press and no click would follow.
        await page.Mouse.DownAsync();
        // The press landed on the button (a pressed button takes the focus), before anything moved.
        await Expect(open).ToBeFocusedAsync();
        await (await user.PostMessageAsync(newer, "click: and a second one")).DataAsync();
        await Expect(page.Locator($"tr[data-session-id='{newer}'] td").Nth(1)).ToHaveTextAsync("2");
        await open.HoverAsync();
        await page.Mouse.UpAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync(["click: the older one"]);

        // The same in the backlog, oldest first: the newer session's first message, while a message to the older
        // session joins the end of the list.
        var waiting = page.Locator(".backlog-item", new() { HasText = "click: the newer one" }).GetByRole(AriaRole.Button, new() { Name = $"Open {newer}" });
        await waiting.HoverAsync();
        await page.Mouse.DownAsync();
        await Expect(waiting).ToBeFocusedAsync();
        await (await user.PostMessageAsync(older, "click: the older one again")).DataAsync();
        await Expect(page.Locator(".backlog-item", new() { HasText = "click: the older one again" })).ToBeVisibleAsync();
        await waiting.HoverAsync();
        await page.Mouse.UpAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync(["click: the newer one", "click: and a second one"]);
    }

    [Fact]
    public async Task Changes_in_a_burst_are_asked_for_once_after_a_pause_not_once_each()
    {
        using var user = app.Anonymous();
        var page = await SignInAsync(pausedClock: true);
        var answers = new System.Collections.Concurrent.ConcurrentQueue<IResponse>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("action=admin_events", StringComparison.Ordinal))
            {
                answers.Enqueue(response);
            }
        };
        await PushedAsync(page, () => user.PostMessageAsync("session_burst_0", "burst: the first"));
        var before = answers.Count;

        // One message after another: a page asking again at once would hear of each in an answer of its own.
        for (var i = 1; i <= 4; i++)
        {
            await (await user.PostMessageAsync($"session_burst_{i}", $"burst: number {i}")).DataAsync();
        }
        // The page's clock moves a second at a time, with real time between for its requests to be answered.
        while (!await page.Locator("tr[data-session-id='session_burst_4']").IsVisibleAsync())
        {
            await page.Clock.RunForAsync(1_000);
            await Task.Delay(250);
        }

        var carried = new List<List<string>>();
        foreach (var answer in answers.Skip(before))
        {
            var events = (await answer.JsonAsync())!.Value.GetProperty("data").GetProperty("events").EnumerateArray()
                .Select(e => e.GetProperty("session_id").GetString()!).Where(s => s.StartsWith("session_burst_", StringComparison.Ordinal) && s != "session_burst_0").ToList();
            if (events.Count > 0)
            {
                carried.Add(events);
            }
        }
        Assert.InRange(carried.Count, 1, 2);
        Assert.Equal(["session_burst_1", "session_burst_2", "session_burst_3", "session_burst_4"], carried.SelectMany(e => e).Distinct().Order());
    }

    [Fact]
    public async Task An_older_list_answer_that_comes_back_last_never_replaces_the_filtered_list()
    {
        var hermes = app.AddAgent("Hermes");
        using (var user = app.Anonymous())
        {
            await (await user.PostJsonAsync("messages", new { session_id = "session_order_hermes", message = "order: for Hermes", agent_id = hermes })).DataAsync();
            await (await user.PostMessageAsync("session_order_other", "order: for the default agent")).DataAsync();
        }
        var page = await SignInAsync();
        var rows = page.Locator("#sessions-body tr[data-session-id^='session_order_']");
        await Expect(rows).ToHaveCountAsync(2);
        var unfilteredAsked = new TaskCompletionSource();
        var unfilteredReleased = new TaskCompletionSource();
        // The unfiltered list's answer is held until the filtered one has been shown.
        await page.RouteAsync(url => url.Contains("action=sessions", StringComparison.Ordinal) && !url.Contains("agent_id=", StringComparison.Ordinal), async route =>
        {
            unfilteredAsked.TrySetResult();
            await unfilteredReleased.Task;
            await route.ContinueAsync();
        });

        var refresh = page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true });
        await refresh.ClickAsync();
        await unfilteredAsked.Task;
        await page.GetByLabel("Agent", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Hermes" });
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(refresh).ToBeDisabledAsync();
        unfilteredReleased.SetResult();

        // The button is enabled again once the refresh has dealt with its (older) answer.
        await Expect(refresh).ToBeEnabledAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToHaveAttributeAsync("data-session-id", "session_order_hermes");
    }

    [Fact]
    public async Task A_session_that_arrives_while_the_dashboard_loads_shows_without_any_later_change()
    {
        using var user = app.Anonymous();
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        var statsAsked = new TaskCompletionSource();
        var statsReleased = new TaskCompletionSource();
        // The stats answer is held until the test has posted: the console's first loads end after the new session.
        await page.RouteAsync(url => url.Contains("action=stats", StringComparison.Ordinal), async route =>
        {
            statsAsked.TrySetResult();
            await statsReleased.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        var sessionsListed = page.WaitForResponseAsync(r => r.Url.Contains("action=sessions", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await sessionsListed;
        await statsAsked.Task;

        await (await user.PostMessageAsync("session_between_loads", "arrived while the dashboard loaded")).DataAsync();
        statsReleased.SetResult();

        await Expect(page.Locator("tr[data-session-id='session_between_loads']")).ToBeVisibleAsync();
    }

    /// <param name="pausedClock">The page's timers stand still once it has signed in, until the test runs them.</param>
    /// <param name="loaded">
    /// Also wait until every part of the dashboard has loaded and the page follows changes (its first live poll): the
    /// service dashboard above the lists renders last and moves them down when it does.
    /// </param>
    private async Task<IPage> SignInAsync(bool pausedClock = false, bool loaded = false)
    {
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        if (pausedClock)
        {
            await page.Clock.InstallAsync();
        }
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        // Signed in once the first list has come: the dashboard shows before its lists load, and a test that counts
        // the page's requests must not count that first load.
        var listed = page.WaitForResponseAsync(r => r.Url.Contains("action=sessions", StringComparison.Ordinal));
        var following = loaded
            ? page.WaitForRequestAsync(r => r.Url.Contains("action=admin_events", StringComparison.Ordinal) && r.Url.Contains("after=", StringComparison.Ordinal))
            : Task.CompletedTask;
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await listed;
        await following;
        if (pausedClock)
        {
            await page.Clock.PauseSoonAsync();
        }
        return page;
    }

    /// <summary>
    /// Runs <paramref name="change"/>, then moves the paused page clock a second at a time until the lists reload.
    /// Only a live-update answer that carried an event sets that reload going (a quiet minute asked for no list), so
    /// the reload proves the push. The clock moves more than once because the answer may still be on its way, or the
    /// page's script still reading it, when a step runs: a single step could pass before the refresh timer was set.
    /// </summary>
    private static async Task PushedAsync(IPage page, Func<Task<HttpResponseMessage>> change)
    {
        var reloaded = page.WaitForRequestAsync(
            request => request.Url.Contains("action=sessions", StringComparison.Ordinal),
            new() { Timeout = 30_000 });
        await (await change()).DataAsync();
        while (!reloaded.IsCompleted)
        {
            await page.Clock.RunForAsync(1_000);
            await Task.WhenAny(reloaded, Task.Delay(250));
        }
        await reloaded;
    }
}
