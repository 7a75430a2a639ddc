using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;

namespace ChatBridge.Bench.Workloads;

/// <summary>
/// w4: many open WebSockets, two per session, then outbox posts to random sessions. Push latency runs from the
/// start of the outbox POST to a socket receiving the reply, once per receiving socket. With several instances the
/// sockets and the posts go round-robin over them, so some pushes cross instances and some do not.
/// </summary>
internal static class PushWorkload
{
    private const int SocketsPerSession = 2;
    private const int ConnectConcurrency = 64;

    /// <summary>Client sockets per loopback address, under the ~28 000 ports of the default ephemeral range.</summary>
    private const int SocketsPerAddress = 20_000;

    /// <summary>Broca posts replies one agent at a time; a handful of concurrent posters is already generous.</summary>
    private const int Pushers = 8;
    /// <summary>Up to this many sockets the 10 000-socket targets apply; past it, those for 50 000 sockets on one instance.</summary>
    private const int SmallRun = 10_000;

    public static async Task<Report> RunAsync(HostGroup hosts, BridgeClients clients, BenchOptions options)
    {
        var sessionCount = Math.Max(1, options.Sockets / SocketsPerSession);
        var sessions = Enumerable.Range(0, sessionCount).Select(i => $"session_bench_push_{i}").ToArray();
        var openOnSession = new int[sessionCount];
        var sockets = new ClientWebSocket?[options.Sockets];
        var connectErrors = 0L;
        // One address up to its share of the ephemeral ports; past that 127.0.0.2, 127.0.0.3, … (see LocalAddressInvoker).
        var addressCount = options.SocketAddresses ?? (options.Sockets + SocketsPerAddress - 1) / SocketsPerAddress;
        var invokers = addressCount <= 1
            ? []
            : Enumerable.Range(0, addressCount).Select(a => LocalAddressInvoker.Create(new IPAddress([127, 0, 0, (byte)(2 + a)]))).ToArray();
        var (_, idleMb) = hosts.Memory();
        var connecting = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Sockets), new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (i, _) =>
        {
            try
            {
                // A session's two sockets (i and i + sessionCount) on different instances when there are several.
                sockets[i] = await clients[i + (i / sessionCount)].ConnectAsync(sessions[i % sessionCount], invokers.Length == 0 ? null : invokers[i % invokers.Length], CancellationToken.None);
                Interlocked.Increment(ref openOnSession[i % sessionCount]);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
                clients.Failures.Add($"connect: {e.Message}");
                Interlocked.Increment(ref connectErrors);
            }
        });
        connecting.Stop();
        var open = options.Sockets - connectErrors;
        var (openPeakMb, openNowMb) = hosts.Memory();

        var starts = new ConcurrentDictionary<long, long>();
        var pushLatency = new LatencyRecorder();
        long delivered = 0, expected = 0, nextKey = 0;
        using var stopReceiving = new CancellationTokenSource();
        var receivers = sockets.OfType<ClientWebSocket>().Select(socket => Task.Run(async () =>
        {
            var buffer = new byte[1024];
            try
            {
                while (await PushedResponse.ReceiveAsync(socket, buffer, stopReceiving.Token) is { } push)
                {
                    if (starts.TryGetValue(long.Parse(push.Response.AsSpan("push ".Length), CultureInfo.InvariantCulture), out var start))
                    {
                        pushLatency.RecordSince(start);
                        Interlocked.Increment(ref delivered);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The socket broke or the run is over; a missing delivery is counted below.
            }
        })).ToArray();

        var measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var posts = await LoadRunner.RunAsync(hosts, Pushers, options.Warmup, options.Duration, clients.Failures, async _ =>
        {
            var session = Random.Shared.Next(sessionCount);
            var key = Interlocked.Increment(ref nextKey);
            var start = Stopwatch.GetTimestamp();
            // Warm-up pushes are delivered but not recorded.
            if (start >= measureFrom)
            {
                starts[key] = start;
            }
            if (await clients.Next.PostOutboxAsync(sessions[session], $"push {key}") is null)
            {
                return false;
            }
            if (start >= measureFrom)
            {
                Interlocked.Add(ref expected, Volatile.Read(ref openOnSession[session]));
            }
            return true;
        });
        var drain = Stopwatch.StartNew();
        while (Interlocked.Read(ref delivered) < Interlocked.Read(ref expected) && drain.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }
        var missing = Interlocked.Read(ref expected) - Interlocked.Read(ref delivered);
        if (missing > 0)
        {
            clients.Failures.Add($"{missing} pushes not delivered within 5 s");
        }

        var (targetMemoryMb, targetP99Ms, targetSetUp) = options.Sockets <= SmallRun
            ? (500.0, 50.0, (TimeSpan?)null)
            : (1430.0, 100.0, TimeSpan.FromSeconds(60)); // 1.5 GB is 1 430 MiB
        var report = new Report("w4", $"{options.Sockets} WebSockets over {sessionCount} sessions, {Pushers} concurrent outbox posters");
        report.Check("sockets open", $"{open} of {options.Sockets} in {connecting.Elapsed.TotalSeconds:0.0} s",
            targetSetUp is { } setUp ? $"{options.Sockets} in < {setUp.TotalSeconds:0} s" : $"{options.Sockets}",
            connectErrors == 0 && (targetSetUp is null || connecting.Elapsed < targetSetUp));
        report.Add("host memory once connected", $"peak {openPeakMb:0} MiB, now {openNowMb:0} MiB");
        report.Add("host memory per open socket", string.Create(CultureInfo.InvariantCulture,
            $"{(openNowMb - idleMb) * 1024 * hosts.Hosts.Count / Math.Max(1, open):0.0} KiB (VmRSS {idleMb:0} MiB before connecting, from {Math.Max(1, addressCount)} client address(es))"));
        report.Add("pushes/s (outbox posts)", posts.PerSecond.ToString("0", CultureInfo.InvariantCulture));
        report.AddLatency("outbox POST", posts.Latency);
        report.AddLatency("push (POST start -> socket)", pushLatency.Summarize(), targetP99Ms);
        report.AddErrors(posts.Errors + Math.Max(0, missing), posts.Ok + posts.Errors, clients.Failures);
        report.Add("deliveries", $"{Interlocked.Read(ref delivered)} of {Interlocked.Read(ref expected)} expected, {Math.Max(0, missing)} missing after 5 s");
        var peakMb = hosts.Memory().PeakMb;
        report.Check("host peak memory (VmHWM), whole run", $"{peakMb:0} MiB", $"< {targetMemoryMb:0} MiB", peakMb < targetMemoryMb);
        report.AddHost(hosts, posts.Cpu, posts.Ok + posts.Errors);

        await stopReceiving.CancelAsync();
        await Task.WhenAll(receivers);
        foreach (var socket in sockets)
        {
            socket?.Dispose();
        }
        foreach (var invoker in invokers)
        {
            invoker.Dispose();
        }
        return report;
    }
}
