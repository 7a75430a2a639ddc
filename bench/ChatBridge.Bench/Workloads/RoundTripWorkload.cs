using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ChatBridge.Bench.Workloads;

/// <summary>
/// w3: user → inbox → outbox → user. Users post and wait for the reply on their session's WebSocket; a simulated
/// Broca long-polls the inbox and posts each reply to the outbox at once. The bridge's share of a round trip is the
/// end-to-end time minus Broca's own time (from the inbox answer's headers to the start of the outbox POST), and it
/// splits into delivery (POST start to Broca holding the message) and push (outbox POST start to the reply on the socket).
/// With several instances each user's socket and posts go to instance <c>user mod N</c>, Broca long-polls instance 0
/// and posts each reply to the instance after the user's: every push then crosses instances (by the database's
/// notifications), which is what the push's latency measures.
/// </summary>
internal static class RoundTripWorkload
{
    /// <summary>Chat users type; a pause of 0–100 ms between messages keeps this a latency test, not a second w2.</summary>
    private const int Users = 32;
    private const int MaxThinkMs = 100;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public static async Task<Report> RunAsync(HostGroup hosts, BridgeClients clients, BenchOptions options)
    {
        var sessions = Enumerable.Range(0, Users).Select(i => $"session_bench_rt_{i}").ToArray();
        var userOf = sessions.Select((session, user) => (session, user)).ToDictionary(s => s.session, s => s.user, StringComparer.Ordinal);
        var sockets = await Task.WhenAll(sessions.Select((s, user) => clients[user].ConnectAsync(s, from: null, CancellationToken.None)));
        var buffers = sockets.Select(_ => new byte[4096]).ToArray();
        var atBroca = new ConcurrentDictionary<long, BrocaTimes>();
        var endToEnd = new LatencyRecorder();
        var bridge = new LatencyRecorder();
        var brocaShare = new LatencyRecorder();
        var delivery = new LatencyRecorder();
        var push = new LatencyRecorder();

        using var stopBroca = new CancellationTokenSource();
        var broca = RunBrocaAsync(clients, session => clients[userOf[session] + 1], atBroca, stopBroca.Token);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var result = await LoadRunner.RunAsync(hosts, Users, options.Warmup, options.Duration, clients.Failures, async user =>
        {
            await Task.Delay(Random.Shared.Next(MaxThinkMs));
            var start = Stopwatch.GetTimestamp();
            if (await clients[user].PostMessageAsync(sessions[user], "Hello, agent") is not { } messageId)
            {
                return false;
            }
            using var timeout = new CancellationTokenSource(ReplyTimeout);
            while (await PushedResponse.ReceiveAsync(sockets[user], buffers[user], timeout.Token) is { } reply)
            {
                if (reply.MessageId != messageId)
                {
                    continue;
                }
                var arrived = Stopwatch.GetTimestamp();
                if (start >= measureFrom && atBroca.TryRemove(messageId, out var times))
                {
                    var brocaTime = times.RepliedAt - times.ReceivedAt;
                    endToEnd.Record(arrived - start);
                    brocaShare.Record(brocaTime);
                    bridge.Record(arrived - start - brocaTime);
                    delivery.Record(times.ReceivedAt - start);
                    push.Record(arrived - times.RepliedAt);
                }
                return true;
            }
            return false;
        });
        await stopBroca.CancelAsync();
        var brocaErrors = await broca;
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        var acrossInstances = clients.Count > 1;
        var report = new Report("w3", $"round trip user -> inbox -> outbox -> user over WebSockets, {Users} users, 0-{MaxThinkMs} ms pauses, 1 Broca long-polling inbox"
            + (acrossInstances ? $", {clients.Count} instances, every reply posted on another instance than its socket's" : ""));
        report.Add("round trips/s", result.PerSecond.ToString("0", CultureInfo.InvariantCulture));
        report.AddLatency("end-to-end", endToEnd.Summarize());
        report.AddLatency("simulated Broca's own time", brocaShare.Summarize());
        report.AddLatency("bridge's share", bridge.Summarize(), options.Targets.RoundTripP99Ms);
        report.AddLatency("  of which delivery to Broca", delivery.Summarize());
        if (acrossInstances)
        {
            report.AddLatency("  of which reply push, across instances", push.Summarize(), options.Targets.CrossInstancePushP99Ms);
        }
        else
        {
            report.AddLatency("  of which reply push", push.Summarize());
        }
        report.AddErrors(result.Errors + brocaErrors, result.Ok + result.Errors, clients.Failures);
        report.AddHost(hosts, result.Cpu, result.Ok + result.Errors);
        return report;
    }

    /// <summary>
    /// Long-polls the first instance's inbox and posts each reply at once, without waiting for earlier replies, to the
    /// instance <paramref name="replyTo"/> names for the message's session; returns its errors.
    /// </summary>
    private static async Task<long> RunBrocaAsync(
        BridgeClients clients, Func<string, BridgeClient> replyTo, ConcurrentDictionary<long, BrocaTimes> atBroca, CancellationToken stop)
    {
        var errors = 0L;
        var replies = new List<Task<long?>>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (messages, receivedAt) = await clients[0].ClaimInboxAsync(waitSeconds: 5, stop);
                if (messages is null)
                {
                    errors++;
                    continue;
                }
                foreach (var message in messages)
                {
                    atBroca[message.Id] = new BrocaTimes(receivedAt, Stopwatch.GetTimestamp());
                    replies.Add(replyTo(message.SessionId).PostOutboxAsync(message.SessionId, "Hello, human", message.Id));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
        try
        {
            var ids = await Task.WhenAll(replies);
            return errors + ids.Count(id => id is null);
        }
        catch (HttpRequestException)
        {
            return errors + replies.Count(r => !r.IsCompletedSuccessfully || r.Result is null);
        }
    }

    /// <summary>Stopwatch timestamps: Broca got the inbox answer's headers, then started the outbox POST.</summary>
    private sealed record BrocaTimes(long ReceivedAt, long RepliedAt);
}
