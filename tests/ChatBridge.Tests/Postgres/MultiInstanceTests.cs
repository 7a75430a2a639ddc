using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ChatBridge.Http;
using ChatBridge.Realtime;
using ChatBridge.Storage.Postgres;
using ChatBridge.Tests.Attachments;
using ChatBridge.Tests.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Postgres;

/// <summary>Two instances on one PostgreSQL database behave as one service.</summary>
public sealed class MultiInstanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [PostgresFact]
    public async Task Inbox_hands_each_message_out_exactly_once_with_pollers_on_both_instances()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        const int MessagesPerInstance = 150;
        const int PollersPerInstance = 4;
        const int Total = 2 * MessagesPerInstance;
        var handedOut = new ConcurrentQueue<(long Id, string Instance)>();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(200, await a.HealthAsync());
        Assert.Equal(200, await b.HealthAsync());

        var pollers = new[] { (App: a, Name: "a"), (App: b, Name: "b") }
            .SelectMany(instance => Enumerable.Range(0, PollersPerInstance).Select(_ => Task.Run(async () =>
            {
                var broca = instance.App.Broca();
                while (handedOut.Count < Total && !giveUp.IsCancellationRequested)
                {
                    var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=5&wait=1", giveUp.Token)).DataAsync();
                    foreach (var message in data.GetProperty("messages").EnumerateArray())
                    {
                        handedOut.Enqueue((message.GetProperty("id").GetInt64(), instance.Name));
                    }
                }
            })))
            .ToList();
        var posted = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var client = (i % 2 == 0 ? a : b).Anonymous();
            var data = await (await client.PostMessageAsync(Sessions.New(), $"message {i}")).DataAsync();
            posted.Add(data.GetProperty("message_id").GetInt64());
        });
        await Task.WhenAll(pollers);

        var ids = handedOut.Select(h => h.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(posted.Order(), ids.Order());
        Assert.Contains(handedOut, h => h.Instance == "a");
        Assert.Contains(handedOut, h => h.Instance == "b");
        await using var connection = await db.OpenAsync();
        await using var deliveries = new NpgsqlCommand("SELECT count(*) FROM web_chat_messages WHERE delivery_count <> 1", connection);
        Assert.Equal(0L, await deliveries.ExecuteScalarAsync());
        output.WriteLine($"{handedOut.Count(h => h.Instance == "a")} handed out by a, {handedOut.Count(h => h.Instance == "b")} by b");
    }

    [PostgresFact]
    public async Task Messages_claims_typing_and_replies_reach_the_other_instances_socket_and_long_polls()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        var session = Sessions.New();
        await using var socket = await EventSocket.ConnectAsync(a, session);

        // A message posted on A wakes an inbox long poll waiting on B; B's claim reaches A's socket. A poll that is not
        // woken answers at the end of its wait with what it read before waiting (nothing): it does not read again.
        var inboxPoll = b.Broca().GetAsync("/api/v1/?action=inbox&limit=10&wait=20");
        await Eventually.UntilAsync(() => b.Listeners(null) > 0, Patience, "inbox poll waiting on b");
        var messageId = (await (await a.Anonymous().PostMessageAsync(session, "Hello from A")).DataAsync()).GetProperty("message_id").GetInt64();
        var claimed = Assert.Single((await (await inboxPoll).DataAsync()).GetProperty("messages").EnumerateArray());
        Assert.Equal(messageId, claimed.GetProperty("id").GetInt64());
        Assert.Equal("Hello from A", claimed.GetProperty("message").GetString());
        var delivered = await socket.NextAsync("status");
        Assert.Equal(messageId, delivered.GetProperty("message_id").GetInt64());
        Assert.Equal("delivered", delivered.GetProperty("status").GetString());

        // Typing signalled on B.
        await (await b.Broca().PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        Assert.Equal("start", (await socket.NextAsync("typing")).GetProperty("state").GetString());

        // A reply posted on B: pushed on A's socket and returned by a long poll waiting on A.
        var responsePoll = a.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}&wait=20");
        await Eventually.UntilAsync(() => a.Listeners(session) > 1, Patience, "responses poll waiting on a");
        var clock = Stopwatch.StartNew();
        var responseId = (await (await b.Broca().PostReplyAsync(session, "Hi from B")).DataAsync()).GetProperty("response_id").GetInt64();
        var events = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(await socket.NextAsync());
        }
        var polled = Assert.Single((await (await responsePoll).DataAsync()).GetProperty("responses").EnumerateArray());
        output.WriteLine($"a's socket after the reply on b: {string.Join(", ", events)}; long poll answered after {clock.ElapsedMilliseconds} ms");

        var pushed = Assert.Single(events, e => e.GetProperty("type").GetString() == "response").GetProperty("data");
        Assert.Equal(responseId, pushed.GetProperty("id").GetInt64());
        Assert.Equal("Hi from B", pushed.GetProperty("response").GetString());
        Assert.Equal(messageId, pushed.GetProperty("message_id").GetInt64());
        Assert.Equal(responseId, polled.GetProperty("id").GetInt64());
        Assert.Equal("Hi from B", polled.GetProperty("response").GetString());
    }

    [PostgresFact]
    public async Task A_listener_whose_connection_is_killed_reconnects_and_its_socket_gets_every_reply_once()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        var (session, watching) = await a.WatchNewSessionAsync(b);
        await using var socket = watching;
        const int Replies = 40;
        var posted = new ConcurrentQueue<long>();

        var posting = Task.Run(async () =>
        {
            var broca = b.Broca();
            for (var i = 0; i < Replies; i++)
            {
                posted.Enqueue((await (await broca.PostReplyAsync(session, $"reply {i}")).DataAsync()).GetProperty("response_id").GetInt64());
                await Task.Delay(50);
            }
        });
        await Eventually.UntilAsync(() => posted.Count >= 10, Patience, "replies posted on b");
        var listener = Assert.Single(await ListenerPidsAsync(db, "bridge-a"));
        await TerminateAsync(db, listener);
        var postedBeforeKill = posted.Count;
        var recovered = await Eventually.UntilAsync(
            async () => await ListenerPidsAsync(db, "bridge-a") is [var pid] && pid != listener && await a.HealthAsync() == 200,
            TimeSpan.FromSeconds(5),
            "a listening again on a new connection, /health 200");
        await posting;

        var pushed = await RepliesPushedAsync(socket, Replies);
        Assert.Equal(posted.Order(), Ids(pushed).Order());
        Assert.True(postedBeforeKill < Replies, "the listener was killed after every reply was posted");
        output.WriteLine($"listener killed after {postedBeforeKill} of {Replies} replies; listening again with /health 200 {recovered.TotalMilliseconds:0} ms later");
    }

    [PostgresFact]
    public async Task A_console_on_an_instance_whose_listener_dropped_is_told_to_reload_once_it_listens_again()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        Assert.Equal(200, await b.HealthAsync());
        var cursor = (await (await a.Admin().GetAsync("/api/v1/?action=admin_events")).DataAsync()).GetProperty("cursor").GetString();
        var listener = Assert.Single(await ListenerPidsAsync(db, "bridge-a"));

        await TerminateAsync(db, listener);
        // Stored while a's listener is down (it waits half a second before it listens again): a never hears of it.
        await (await b.Anonymous().PostMessageAsync(Sessions.New(), "Hello")).DataAsync();
        await Eventually.UntilAsync(
            async () => await ListenerPidsAsync(db, "bridge-a") is [var pid] && pid != listener, Patience, "a listening again");

        await Eventually.UntilAsync(
            async () => (await (await a.Admin().GetAsync($"/api/v1/?action=admin_events&after={cursor}")).DataAsync()).GetProperty("reset").GetBoolean(),
            Patience,
            "a's console told to reload everything");
    }

    [PostgresFact]
    public async Task Notifications_that_fail_to_send_are_sent_again_and_every_event_reaches_the_other_instances_socket_once_in_order()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        var flaky = new FlakyNotifier(failures: 5);
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b", flaky.Replace);
        var (session, watching) = await a.WatchNewSessionAsync(b);
        await using var socket = watching;
        // Typing goes by the bus's own notifications alone: nothing is written, so no statement announces it.
        var states = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? "start" : "stop").ToList();

        flaky.Arm();
        foreach (var state in states)
        {
            await (await b.Broca().PostJsonAsync("typing", new { session_id = session, state })).DataAsync();
        }

        var pushed = new List<string>();
        while (pushed.Count < states.Count)
        {
            var evt = await socket.NextOrNoneAsync(TimeSpan.FromSeconds(20))
                ?? throw new Xunit.Sdk.XunitException($"Only {pushed.Count} of {states.Count} typing events were pushed");
            if (evt.GetProperty("type").GetString() == "typing")
            {
                pushed.Add(evt.GetProperty("data").GetProperty("state").GetString()!);
            }
        }
        Assert.Equal(states, pushed);
        while (await socket.NextOrNoneAsync(TimeSpan.FromSeconds(2)) is { } late)
        {
            Assert.NotEqual("typing", late.GetProperty("type").GetString());
        }
        Assert.Equal(5, flaky.Failed);
    }

    [PostgresFact]
    public async Task A_reply_is_announced_by_the_statement_that_stores_it_and_reaches_the_other_instances_socket_while_the_bus_cannot_send()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        var refusing = new FlakyNotifier(failures: int.MaxValue);
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b", refusing.Replace);
        var (session, watching) = await a.WatchNewSessionAsync(b);
        await using var socket = watching;
        // Short replies travel in their notification; one too long for it (8 000 characters) is read by id, in its turn.
        string[] texts = ["reply 0", "a | b\nc \"quoted\" \\ \u00e9\u4e2d\U0001F600", new string('x', 8000), "reply 3"];
        List<long> posted = [];

        refusing.Arm();
        foreach (var text in texts)
        {
            posted.Add((await (await b.Broca().PostReplyAsync(session, text)).DataAsync()).GetProperty("response_id").GetInt64());
        }

        // b's own notifications all fail and tell a of no gap, so only the replies' statements can have told it.
        var pushed = await RepliesPushedAsync(socket, texts.Length);
        Assert.Equal(posted, Ids(pushed));
        Assert.Equal(texts, pushed.Select(reply => reply.GetProperty("response").GetString()));
        Assert.DoesNotContain(refusing.Payloads, payload => payload.Contains("\nr|", StringComparison.Ordinal));
        // As a poll gives them: the same fields, the same values.
        var polled = (await (await a.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}")).DataAsync()).GetProperty("responses");
        Assert.Equal(polled.EnumerateArray().Select(Fields), pushed.Select(Fields));
    }

    [PostgresFact]
    public async Task A_file_uploaded_through_one_instance_is_served_and_handed_to_Broca_by_the_other_and_cleanup_on_either_removes_it_for_both()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        var session = Sessions.New();
        var user = a.Anonymous();
        var photo = await user.UploadedAsync(session, TestFiles.Png(40, 30), "photo.png");
        var pdf = await user.UploadedAsync(session, TestFiles.Pdf(), "Q3 report.pdf");
        var fromA = await Task.WhenAll(new[] { photo, pdf }.Select(f => user.GetByteArrayAsync(f.PathOf())));

        var fromB = await Task.WhenAll(new[] { photo, pdf }.Select(f => b.Anonymous().GetByteArrayAsync(f.PathOf())));
        Assert.Equal(fromA, fromB);
        Assert.Equal(TestFiles.Pdf(), fromB[1]);

        await (await user.PostWithAttachmentsAsync(session, "What do you make of these?", photo.Id(), pdf.Id())).DataAsync();
        var message = Assert.Single((await (await b.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync()).GetProperty("messages").EnumerateArray());
        Assert.Equal(
            "What do you make of these?\n"
            + $"[Image Attachment: {photo.GetProperty("url").GetString()}]\n"
            + $"[File Attachment: Q3 report.pdf (application/pdf, {TestFiles.Pdf().Length} bytes): {pdf.GetProperty("url").GetString()}]",
            message.GetProperty("message").GetString());
        await (await b.Broca().PostReplyAsync(session, "Seen both.")).DataAsync();

        b.Age(session, TimeSpan.FromDays(30));
        await (await b.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal(0L, a.Count("chatbridge_attachments"));
        foreach (var instance in new[] { a, b })
        {
            foreach (var file in new[] { photo, pdf })
            {
                await (await instance.Anonymous().GetAsync(file.PathOf())).AssertErrorAsync(404, Errors.FileNotFound);
            }
        }
    }

    /// <summary>The first <paramref name="count"/> replies the socket pushes (each its <c>data</c>), and then no other reply.</summary>
    private static async Task<List<JsonElement>> RepliesPushedAsync(EventSocket socket, int count)
    {
        var pushed = new List<JsonElement>();
        while (pushed.Count < count)
        {
            // Replies come late by design (a notification sent again every half second, a listener reconnecting), and
            // later still on a busy machine: the patience covers that delay as well as the usual few seconds.
            var evt = await socket.NextOrNoneAsync(TimeSpan.FromSeconds(20))
                ?? throw new Xunit.Sdk.XunitException($"Only {pushed.Count} of {count} replies were pushed");
            if (evt.GetProperty("type").GetString() == "response")
            {
                pushed.Add(evt.GetProperty("data"));
            }
        }
        while (await socket.NextOrNoneAsync(TimeSpan.FromSeconds(2)) is { } late)
        {
            Assert.NotEqual("response", late.GetProperty("type").GetString());
        }
        return pushed;
    }

    private static List<long> Ids(List<JsonElement> replies) => [.. replies.Select(reply => reply.GetProperty("id").GetInt64())];

    /// <summary>A reply's fields and values, whichever way its JSON escaped them.</summary>
    private static string Fields(JsonElement reply) => string.Join("\n", reply.EnumerateObject().Select(field => $"{field.Name}={field.Value}"));

    /// <summary>A notifier whose next sends fail, once armed, as a server that refuses NOTIFY for a while would.</summary>
    private sealed class FlakyNotifier(int failures)
    {
        private readonly ConcurrentQueue<string> _payloads = new();
        private int _left;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        /// <summary>Every notification it was asked to send, sent or not.</summary>
        public IReadOnlyCollection<string> Payloads => _payloads;

        public void Arm() => Volatile.Write(ref _left, failures);

        /// <summary>Puts it in front of the instance's own notifier.</summary>
        public void Replace(IServiceCollection services) =>
            services.AddSingleton<IBusNotifier>(sp => new Failing(this, ActivatorUtilities.CreateInstance<PoolNotifier>(sp)));

        private sealed class Failing(FlakyNotifier owner, IBusNotifier real) : IBusNotifier
        {
            public Task NotifyAsync(string channel, string payload, CancellationToken ct)
            {
                owner._payloads.Enqueue(payload);
                if (Interlocked.Decrement(ref owner._left) < 0)
                {
                    return real.NotifyAsync(channel, payload, ct);
                }
                Interlocked.Increment(ref owner._failed);
                return Task.FromException(new NpgsqlException("NOTIFY refused for the test"));
            }
        }
    }

    /// <summary>The backends of an instance's listening connection: its last statement is its LISTEN or its probe, which no other connection runs.</summary>
    private static async Task<List<int>> ListenerPidsAsync(TestDatabase db, string instance)
    {
        await using var connection = await db.OpenAsync();
        await using var find = new NpgsqlCommand("""
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = @instance AND (query LIKE 'LISTEN %' OR query = 'SELECT 1')
            """, connection);
        find.Parameters.AddWithValue("instance", instance);
        List<int> pids = [];
        await using var reader = await find.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }
        return pids;
    }

    /// <summary>Ends a backend the way a server restart or a network cut would.</summary>
    private static async Task TerminateAsync(TestDatabase db, int pid)
    {
        await using var connection = await db.OpenAsync();
        await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        kill.Parameters.AddWithValue("pid", pid);
        Assert.True((bool)(await kill.ExecuteScalarAsync())!);
    }

    [PostgresFact]
    public async Task A_key_rotated_on_one_instance_is_refused_by_the_other_as_soon_as_the_database_announces_it()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        // B's clock stands still, so its copy of the settings never ages out: only the announcement can renew it.
        var frozen = TestClocks.Frozen();
        using var b = Instances.On(db.ConnectionString, "bridge-b", services => services.AddSingleton<TimeProvider>(frozen));
        var heardAfter = new List<double>();

        for (var round = 0; round < 5; round++)
        {
            var key = $"rotated-api-key-{round}-0123456789";
            var old = round == 0 ? BridgeApp.ApiKey : $"rotated-api-key-{round - 1}-0123456789";
            await (await b.WithKey(old).GetAsync("/api/v1/?action=inbox")).DataAsync();

            var heard = SettingsChangeHeard(b);
            await (await a.Admin().PostJsonAsync("config", new { api_key = key })).DataAsync();
            var answeredAt = Stopwatch.GetTimestamp();
            // The old key still opens B until the announcement arrives (the contract allows 100 ms); from then on it never does.
            heardAfter.Add(Math.Max(0, Stopwatch.GetElapsedTime(answeredAt, await heard.WaitAsync(Patience)).TotalMilliseconds));

            await (await b.WithKey(old).GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
            await (await b.WithKey(key).GetAsync("/api/v1/?action=inbox")).DataAsync();
        }
        // On the instance that rotated it, the old key is refused from the very next request (ConfigTests, both providers).
        output.WriteLine($"B heard the rotation {string.Join(", ", heardAfter.Select(ms => $"{ms:0.0}"))} ms after A's answer");
    }

    [PostgresFact]
    public async Task A_key_the_control_app_changes_in_the_table_is_refused_by_every_instance_as_soon_as_the_database_announces_it()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        var frozen = TestClocks.Frozen();
        using var a = Instances.On(db.ConnectionString, "bridge-a", services => services.AddSingleton<TimeProvider>(frozen));
        using var b = Instances.On(db.ConnectionString, "bridge-b", services => services.AddSingleton<TimeProvider>(frozen));
        await (await a.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await b.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        var heardByA = SettingsChangeHeard(a);
        var heardByB = SettingsChangeHeard(b);

        // As the control app's settings page writes it: the row itself, no call to either instance.
        await using (var connection = await db.OpenAsync())
        {
            await using var update = new NpgsqlCommand(
                "UPDATE system_config SET config_value = 'set-by-the-control-app-0123', updated_at = now() AT TIME ZONE 'UTC' WHERE config_key = 'api_key'",
                connection);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        await Task.WhenAll(heardByA, heardByB).WaitAsync(Patience);

        foreach (var instance in new[] { a, b })
        {
            await (await instance.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
            await (await instance.WithKey("set-by-the-control-app-0123").GetAsync("/api/v1/?action=inbox")).DataAsync();
        }
    }

    /// <summary>When <paramref name="app"/> next hears that a setting changed (from its bus or the database).</summary>
    private static Task<long> SettingsChangeHeard(BridgeApp app)
    {
        var hub = app.Services.GetRequiredService<NotificationHub>();
        var heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange()
        {
            hub.SettingsChanged -= OnChange;
            heard.TrySetResult(Stopwatch.GetTimestamp());
        }
        hub.SettingsChanged += OnChange;
        return heard.Task;
    }

    [PostgresFact]
    public async Task Each_agents_broca_gets_exactly_its_agents_messages_once_whichever_instance_it_and_the_visitors_use()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        var agents = new[] { (Id: a.AddAgent("Athena"), Name: "Athena"), (Id: a.AddAgent("Monday"), Name: "Monday") };
        // Each key made on one instance and used on both: the digest lives in the database, not in an instance.
        var keys = new Dictionary<long, string>
        {
            [agents[0].Id] = await Sanctum.AgentKeyTests.KeyOfAsync(a, agents[0].Id),
            [agents[1].Id] = await Sanctum.AgentKeyTests.KeyOfAsync(b, agents[1].Id),
        };
        const int PerAgent = 40;
        var handedOut = new ConcurrentQueue<(long Agent, long Id, string Text)>();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // An agent's Broca long-polls both instances; the visitors post on both.
        var pollers = (from agent in agents
                       from instance in new[] { a, b }
                       select Task.Run(async () =>
                       {
                           var broca = instance.WithKey(keys[agent.Id]);
                           while (handedOut.Count(h => h.Agent == agent.Id) < PerAgent && !giveUp.IsCancellationRequested)
                           {
                               var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=5&wait=2", giveUp.Token)).DataAsync();
                               foreach (var message in data.GetProperty("messages").EnumerateArray())
                               {
                                   handedOut.Enqueue((agent.Id, message.GetProperty("id").GetInt64(), message.GetProperty("message").GetString()!));
                               }
                           }
                       })).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, 2 * PerAgent), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var agent = agents[i % 2];
            var client = (i / 2 % 2 == 0 ? a : b).Anonymous();
            (await client.PostJsonAsync("messages", new { session_id = Sessions.New(), message = $"for {agent.Name} {i}", agent_id = agent.Id })).EnsureSuccessStatusCode();
        });
        await Task.WhenAll(pollers);

        foreach (var agent in agents)
        {
            var got = handedOut.Where(h => h.Agent == agent.Id).ToList();
            Assert.Equal(PerAgent, got.Count);
            Assert.Equal(PerAgent, got.Select(h => h.Id).Distinct().Count());
            Assert.All(got, h => Assert.StartsWith($"for {agent.Name} ", h.Text, StringComparison.Ordinal));
        }
        await using var connection = await db.OpenAsync();
        await using var deliveries = new NpgsqlCommand("SELECT count(*) FROM web_chat_messages WHERE delivery_count <> 1", connection);
        Assert.Equal(0L, await deliveries.ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task An_agents_long_poll_on_one_instance_wakes_for_its_agents_message_posted_on_the_other_and_not_for_anothers()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        using var a = Instances.On(db.ConnectionString, "bridge-a");
        using var b = Instances.On(db.ConnectionString, "bridge-b");
        var athena = a.AddAgent("Athena");
        var monday = a.AddAgent("Monday");
        var athenaBroca = b.WithKey(await Sanctum.AgentKeyTests.KeyOfAsync(a, athena));
        Assert.Equal(200, await b.HealthAsync());

        // 30 s is the longest wait: an answer with Athena's message can only come from the wake-up.
        var poll = athenaBroca.GetAsync("/api/v1/?action=inbox&wait=30");
        (await a.Anonymous().PostJsonAsync("messages", new { session_id = "session_wake_m", message = "for Monday", agent_id = monday })).EnsureSuccessStatusCode();
        (await a.Anonymous().PostJsonAsync("messages", new { session_id = "session_wake_a", message = "for Athena", agent_id = athena })).EnsureSuccessStatusCode();
        var data = await (await poll).DataAsync();

        Assert.Equal(["for Athena"], data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()));
        Assert.Equal(0L, a.Scalar("SELECT delivery_count FROM web_chat_messages WHERE session_id = 'session_wake_m'"));
    }
}
