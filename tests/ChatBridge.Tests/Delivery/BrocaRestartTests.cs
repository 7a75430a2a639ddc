using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Delivery;

/// <summary>
/// The ways Broca's web_chat plugin drops what it claimed (its start-up probe, a batch cut short at stop, an answer
/// lost on the wire) no longer lose messages: each one comes back when its lease lapses, or at once when the bridge
/// sees the answer fail.
/// </summary>
public sealed class BrocaRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_inbox_answer_that_never_reaches_its_poller_releases_its_claims_at_once()
    {
        using var app = new BridgeApp
        {
            Settings = { ["ChatBridge:Inbox:ClaimTimeout"] = "00:10:00" },
            TestServices = services => services.AddSingleton<IStartupFilter, AbortedInboxAnswers>(),
        };
        long[] ids =
        [
            (await (await app.Anonymous().PostMessageAsync("session_abort_a", "one")).DataAsync()).GetProperty("message_id").GetInt64(),
            (await (await app.Anonymous().PostMessageAsync("session_abort_b", "two")).DataAsync()).GetProperty("message_id").GetInt64(),
        ];
        var broca = app.Broca();

        await Assert.ThrowsAnyAsync<Exception>(() => broca.SendAsync(AbortedPoll()));

        // Far inside the ten-minute lease: only the release can have brought them back.
        var again = await broca.ClaimAsync(wait: 10);
        if (again.Count < ids.Length)
        {
            again.AddRange(await broca.ClaimAsync(wait: 10));
        }
        Assert.Equal(ids, again.Select(m => m.Id()));
        foreach (var (id, session) in ids.Zip(["session_abort_a", "session_abort_b"]))
        {
            // The hand-out that never arrived is not counted against the message's deliveries.
            Assert.Equal(1, (await app.AdminViewAsync(session, id)).GetProperty("delivery_count").GetInt32());
        }
    }

    [Fact]
    public async Task Ten_broca_restarts_while_users_chat_lose_no_message_and_answer_none_twice()
    {
        var lease = TimeSpan.FromSeconds(1);
        using var app = new BridgeApp
        {
            // Restarts a second apart can drop one message several times (abandoned, then a probe's, then abandoned
            // again); here every drop must come back, so deliveries are not the limit (they have a test of their own).
            Settings = { ["ChatBridge:Inbox:ClaimTimeout"] = "00:00:01", ["ChatBridge:Inbox:MaxDeliveries"] = "10" },
            TestServices = services => services.AddSingleton<IStartupFilter, AbortedInboxAnswers>(),
        };
        var broca = app.Broca();
        var posted = new ConcurrentDictionary<long, string>();
        var handedOut = new ConcurrentDictionary<long, int>();
        var replies = new ConcurrentDictionary<long, int>();
        var next = 0;

        async Task UsersChatAsync(int count) => await Parallel.ForAsync(0, count, async (_, _) =>
        {
            // One message per session, so Broca's replies (which name no message) each answer their own message.
            var session = $"session_restart_{Interlocked.Increment(ref next)}";
            var data = await (await app.Anonymous().PostMessageAsync(session, $"hello from {session}")).DataAsync();
            posted[data.GetProperty("message_id").GetInt64()] = session;
        });

        async Task<List<JsonElement>> ClaimAsync(int limit, int wait = 0)
        {
            var messages = await broca.ClaimAsync(limit, wait);
            foreach (var message in messages)
            {
                handedOut.AddOrUpdate(message.Id(), 1, (_, n) => n + 1);
            }
            return messages;
        }

        async Task AnswerAsync(JsonElement message, HashSet<(string, long, string)> seen)
        {
            // Broca's own dedupe, for the life of one run: session, id and timestamp.
            if (seen.Add((message.GetProperty("session_id").GetString()!, message.Id(), message.GetProperty("timestamp").GetString()!)))
            {
                await (await broca.PostReplyAsync(message.GetProperty("session_id").GetString()!, "an answer")).DataAsync();
                replies.AddOrUpdate(message.Id(), 1, (_, n) => n + 1);
            }
        }

        await UsersChatAsync(10);
        for (var restart = 0; restart < 10; restart++)
        {
            var seen = new HashSet<(string, long, string)>();
            var chatting = UsersChatAsync(6);
            await ClaimAsync(limit: 1);                                             // test_connection(): answer discarded
            await Assert.ThrowsAnyAsync<Exception>(() => broca.SendAsync(AbortedPoll(limit: 2)));  // lost on the wire
            var batch = await ClaimAsync(limit: 50);
            foreach (var message in batch.Take(batch.Count / 2))                   // stopped half way through the batch
            {
                await AnswerAsync(message, seen);
            }
            await chatting;
        }

        // The last start runs until every message is answered, as a Broca that stays up would.
        var final = new HashSet<(string, long, string)>();
        await ClaimAsync(limit: 1);
        var clock = Stopwatch.StartNew();
        while (replies.Count < posted.Count && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var message in await ClaimAsync(limit: 50, wait: 2))
            {
                await AnswerAsync(message, final);
            }
        }

        var lost = posted.Keys.Count(id => !replies.ContainsKey(id));
        var answeredTwice = replies.Count(r => r.Value > 1);
        var handedOutAgain = handedOut.Count(h => h.Value > 1);
        output.WriteLine($"{posted.Count} messages over 10 restarts: {lost} lost, {answeredTwice} answered twice, "
            + $"{handedOutAgain} handed out more than once, all recovered {clock.Elapsed.TotalSeconds:0.0} s after the last start (lease {lease.TotalSeconds} s)");
        Assert.Equal(70, posted.Count);
        Assert.Equal(0, lost);
        Assert.Equal(0, answeredTwice);
        Assert.True(handedOutAgain >= 10, $"each restart's probe and cut batch should have been handed out again, got {handedOutAgain}");
        foreach (var (id, session) in posted)
        {
            Assert.Equal("answered", (await app.AdminViewAsync(session, id)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Eight_pollers_never_hold_one_message_at_once_while_dropped_claims_lapse_and_come_back()
    {
        const int Messages = 1000;
        var lease = TimeSpan.FromSeconds(2);
        using var app = new BridgeApp { Settings = { ["ChatBridge:Inbox:ClaimTimeout"] = "00:00:02" } };
        var posted = new ConcurrentDictionary<long, string>();
        var receipts = new ConcurrentDictionary<long, ConcurrentQueue<(TimeSpan Asked, TimeSpan Received, bool Dropped)>>();
        var replies = new ConcurrentDictionary<long, int>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        var posting = Task.Run(() => Parallel.ForAsync(0, Messages, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var session = $"session_lease_race_{i % 40}";
            var data = await (await app.Anonymous().PostMessageAsync(session, $"message {i}")).DataAsync();
            posted[data.GetProperty("message_id").GetInt64()] = session;
        }));
        var pollers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var broca = app.Broca();
            while (!stop.IsCancellationRequested)
            {
                var asked = clock.Elapsed;
                var claimed = await broca.ClaimAsync(limit: 7, wait: 1);
                var received = clock.Elapsed;
                foreach (var message in claimed)
                {
                    var id = message.Id();
                    var queue = receipts.GetOrAdd(id, _ => new ConcurrentQueue<(TimeSpan, TimeSpan, bool)>());
                    // Every tenth message is dropped the first time, as a poller that crashed with it would.
                    var drop = id % 10 == 0 && queue.IsEmpty;
                    queue.Enqueue((asked, received, drop));
                    if (!drop)
                    {
                        var reply = new { session_id = message.GetProperty("session_id").GetString(), response = "done", message_id = id };
                        await (await broca.PostJsonAsync("outbox", reply)).DataAsync();
                        replies.AddOrUpdate(id, 1, (_, n) => n + 1);
                    }
                }
            }
        })).ToList();

        await posting;
        while (replies.Count < Messages && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(pollers);

        Assert.Equal(Messages, posted.Count);
        Assert.Equal(posted.Keys.Order(), replies.Keys.Order());
        Assert.All(replies.Values, count => Assert.Equal(1, count));
        foreach (var (id, queue) in receipts)
        {
            var times = queue.ToList();
            // Handed out again only after a drop, and never before the dropped claim's lease ran out: the claim was
            // made after its poll was sent, and the second hand-out reached its poller after it was made.
            Assert.Equal(id % 10 == 0 ? 2 : 1, times.Count);
            if (times.Count == 2)
            {
                Assert.True(times[0].Dropped);
                var held = times[1].Received - times[0].Asked;
                Assert.True(held >= lease - TimeSpan.FromMilliseconds(5), $"message {id} came back {held} after it was claimed");
            }
        }
    }

    private static HttpRequestMessage AbortedPoll(int limit = 50)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/?action=inbox&limit={limit}&offset=0");
        request.Headers.Add(AbortedInboxAnswers.Header, "1");
        return request;
    }
}
