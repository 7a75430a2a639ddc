using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using ChatBridge.Http;
using ChatBridge.Storage.Sqlite;
using ChatBridge.Tests.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Realtime;

public sealed class WebSocketTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Two_sockets_on_one_session_each_get_every_reply()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await using var first = await EventSocket.ConnectAsync(app, session);
        await using var second = await EventSocket.ConnectAsync(app, session);

        var stored = await (await app.Broca().PostReplyAsync(session, "Hi there")).DataAsync();
        var id = stored.GetProperty("response_id").GetInt64();

        foreach (var socket in new[] { first, second })
        {
            var reply = await socket.NextAsync("response");
            Assert.Equal(id, reply.GetProperty("id").GetInt64());
            Assert.Equal("Hi there", reply.GetProperty("response").GetString());
            Assert.Equal(stored.GetProperty("timestamp").GetString(), reply.GetProperty("timestamp").GetString());
            Assert.Equal(JsonValueKind.Null, reply.GetProperty("message_id").ValueKind);
        }
    }

    [Fact]
    public async Task Response_events_carry_the_same_fields_as_the_responses_action()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Question");
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        await app.Broca().PostReplyAsync(session, "Answer");
        var pushed = await socket.NextAsync("response");
        var polled = (await (await app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}")).DataAsync())
            .GetProperty("responses")[0];

        Assert.Equal(polled.ToString(), pushed.ToString());
    }

    [Fact]
    public async Task Reconnect_with_after_id_replays_only_missed_replies_then_goes_live()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        var broca = app.Broca();
        long lastSeen;
        await using (var socket = await EventSocket.ConnectAsync(app, session))
        {
            await broca.PostReplyAsync(session, "one");
            lastSeen = (await socket.NextAsync("response")).GetProperty("id").GetInt64();
        }
        var missed = new List<long>();
        foreach (var text in new[] { "two", "three" })
        {
            missed.Add((await (await broca.PostReplyAsync(session, text)).DataAsync()).GetProperty("response_id").GetInt64());
        }

        await using var again = await EventSocket.ConnectAsync(app, session, afterId: lastSeen);
        Assert.Equal(missed[0], (await again.NextAsync("response")).GetProperty("id").GetInt64());
        Assert.Equal(missed[1], (await again.NextAsync("response")).GetProperty("id").GetInt64());
        var live = (await (await broca.PostReplyAsync(session, "four")).DataAsync()).GetProperty("response_id").GetInt64();
        var next = await again.NextAsync("response");
        Assert.Equal(live, next.GetProperty("id").GetInt64());
        Assert.Equal("four", next.GetProperty("response").GetString());
    }

    [Fact]
    public async Task Replies_posted_while_a_socket_connects_arrive_exactly_once()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        var broca = app.Broca();
        const int Count = 30;

        var started = 0;
        var posting = Task.Run(async () =>
        {
            var ids = new List<long>();
            for (var i = 0; i < Count; i++)
            {
                ids.Add((await (await broca.PostReplyAsync(session, $"reply {i}")).DataAsync()).GetProperty("response_id").GetInt64());
                Volatile.Write(ref started, 1);
            }
            return ids;
        });
        await Eventually.UntilAsync(() => Volatile.Read(ref started) == 1, "the first reply posted");
        await using var socket = await EventSocket.ConnectAsync(app, session);
        var posted = await posting;

        var received = new List<long>();
        while (received.Count < Count)
        {
            received.Add((await socket.NextAsync("response")).GetProperty("id").GetInt64());
        }
        Assert.Equal(posted.Order(), received.Order());

        // Nothing extra is queued behind them: the next event is the next reply.
        var sentinel = (await (await broca.PostReplyAsync(session, "last")).DataAsync()).GetProperty("response_id").GetInt64();
        Assert.Equal(sentinel, (await socket.NextAsync("response")).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Under_load_every_socket_gets_each_reply_of_its_session_once_and_nothing_else()
    {
        const int SessionCount = 20;
        const int RepliesPerSession = 50;
        // A host of its own: forty sockets from one address are over the default per-client limit.
        using var bridge = new BridgeApp { Settings = { ["ChatBridge:WebSockets:MaxPerClient"] = $"{2 * SessionCount}" } };
        var sessions = Enumerable.Range(0, SessionCount).Select(_ => Sessions.New()).ToArray();
        var sockets = new List<(string Session, EventSocket Socket)>();
        foreach (var session in sessions)
        {
            await bridge.Anonymous().PostMessageAsync(session, "Hello");
            sockets.Add((session, await EventSocket.ConnectAsync(bridge, session)));
            sockets.Add((session, await EventSocket.ConnectAsync(bridge, session)));
        }
        var broca = bridge.Broca();
        var posted = sessions.ToDictionary(s => s, _ => new ConcurrentBag<long>());

        await Parallel.ForAsync(0, SessionCount * RepliesPerSession, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var session = sessions[i % SessionCount];
            var stored = await (await broca.PostReplyAsync(session, $"reply {i}")).DataAsync();
            posted[session].Add(stored.GetProperty("response_id").GetInt64());
        });

        foreach (var (session, socket) in sockets)
        {
            var received = new List<long>();
            while (received.Count < RepliesPerSession)
            {
                received.Add((await socket.NextAsync("response")).GetProperty("id").GetInt64());
            }
            // Replies stored at the same moment may be pushed out of id order; none may be missing or repeated.
            Assert.Equal(posted[session].Order(), received.Order());
        }
        // Nothing extra is queued behind them: the next event on every socket is its session's next reply.
        foreach (var session in sessions)
        {
            var last = (await (await broca.PostReplyAsync(session, "last")).DataAsync()).GetProperty("response_id").GetInt64();
            foreach (var (_, socket) in sockets.Where(s => s.Session == session))
            {
                Assert.Equal(last, (await socket.NextAsync("response")).GetProperty("id").GetInt64());
            }
        }
        foreach (var (_, socket) in sockets)
        {
            await socket.DisposeAsync();
        }
    }

    [SqliteFact]
    public async Task A_reply_is_pushed_once_committed_while_brocas_post_waits_for_the_disk()
    {
        var disk = new GatedWalSync();
        using var bridge = new BridgeApp { TestServices = services => services.AddSingleton<IWalSync>(disk) };
        var session = Sessions.New();
        await (await bridge.Anonymous().PostMessageAsync(session, "Hello")).DataAsync();
        await using var socket = await EventSocket.ConnectAsync(bridge, session);
        disk.Hold();

        var posting = bridge.Broca().PostReplyAsync(session, "Hi there");
        var pushed = await socket.NextAsync("response");

        Assert.Equal("Hi there", pushed.GetProperty("response").GetString());
        Assert.True(await disk.SyncWaiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(posting.IsCompleted);
        disk.Release();
        var stored = await (await posting).DataAsync();
        Assert.Equal(stored.GetProperty("response_id").GetInt64(), pushed.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Status_events_report_delivered_on_claim_and_answered_on_reply()
    {
        var session = Sessions.New();
        var messageId = (await (await app.Anonymous().PostMessageAsync(session, "Hello")).DataAsync()).GetProperty("message_id").GetInt64();
        await using var socket = await EventSocket.ConnectAsync(app, session);

        var claimed = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
        Assert.Contains(claimed.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetInt64() == messageId);
        var delivered = await socket.NextAsync("status");
        Assert.Equal(messageId, delivered.GetProperty("message_id").GetInt64());
        Assert.Equal("delivered", delivered.GetProperty("status").GetString());

        await app.Broca().PostReplyAsync(session, "Hi");
        var reply = await socket.NextAsync("response");
        Assert.Equal(messageId, reply.GetProperty("message_id").GetInt64());
        var answered = await socket.NextAsync("status");
        Assert.Equal(messageId, answered.GetProperty("message_id").GetInt64());
        Assert.Equal("answered", answered.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("", Errors.MissingSessionId)]
    [InlineData("?session_id=", Errors.MissingSessionId)]
    [InlineData("?session_id=nope", Errors.InvalidSessionId)]
    [InlineData("?session_id=session_a%0A", Errors.InvalidSessionId)]
    public async Task Bad_session_id_is_a_json_400_before_any_upgrade(string query, string error)
    {
        await (await app.Anonymous().GetAsync($"/api/v1/ws{query}")).AssertErrorAsync(400, error);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            app.Server.CreateWebSocketClient().ConnectAsync(new Uri($"ws://localhost/api/v1/ws{query}"), CancellationToken.None));
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_after_id_is_a_400_naming_it() =>
        await (await app.Anonymous().GetAsync($"/api/v1/ws?session_id={Sessions.New()}&after_id=x"))
            .AssertErrorAsync(400, "Invalid after_id parameter");

    [Fact]
    public async Task Plain_http_request_is_a_json_400() =>
        await (await app.Anonymous().GetAsync($"/api/v1/ws?session_id={Sessions.New()}"))
            .AssertErrorAsync(400, Errors.WebSocketRequired);

    [Fact]
    public async Task Client_close_gets_a_clean_close_back()
    {
        var socket = await EventSocket.ConnectAsync(app, Sessions.New());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.Socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.Socket.CloseStatus);
    }
}
