using System.Globalization;

namespace ChatBridge.Bench.Workloads;

/// <summary>
/// w1: browsers polling <c>responses</c>, in two variants, against the ceiling of a bare Kestrel + SQLite read:
/// <list type="bullet">
/// <item>cursor: 1 000 sessions that each hold one reply, polled with <c>after_id</c> just below it;</item>
/// <item>no cursor: 1 000 sessions that each hold ten replies, polled without <c>after_id</c> (a browser without
/// one, or the old widget), so every poll returns all ten;</item>
/// <item>ceiling: <see cref="CeilingHost"/> reading the no-cursor sessions' ten rows from the same database file.</item>
/// </list>
/// Each runs with its own warm-up, one after the other on the same cores; the ratios to the ceiling are the targets.
/// </summary>
internal static class PollingWorkload
{
    private const int Sessions = 1000;
    private const int RepliesWithoutCursor = 10;
    private const double TargetCeilingRatio = 0.8;

    public static async Task<Report> RunAsync(HostGroup hosts, BridgeClients clients, BenchOptions options)
    {
        var targets = options.Targets;
        var cursorSessions = Enumerable.Range(0, Sessions).Select(i => $"session_bench_poll_{i}").ToArray();
        var fullSessions = Enumerable.Range(0, Sessions).Select(i => $"session_bench_full_{i}").ToArray();
        var replyIds = new long[Sessions];
        await Parallel.ForEachAsync(Enumerable.Range(0, Sessions), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            replyIds[i] = await SeedAsync(clients.Next, cursorSessions[i], replies: 1);
            await SeedAsync(clients.Next, fullSessions[i], RepliesWithoutCursor);
        });

        // after_id is just below the seeded reply, so every poll finds and returns it: the full read path.
        var cursor = await LoadRunner.RunAsync(hosts, options.Concurrency, options.Warmup, options.Duration, clients.Failures, _ =>
        {
            var i = Random.Shared.Next(Sessions);
            return clients.Next.PollResponsesAsync(cursorSessions[i], replyIds[i] - 1);
        });
        var noCursor = await LoadRunner.RunAsync(hosts, options.Concurrency, options.Warmup, options.Duration, clients.Failures, _ =>
            clients.Next.PollResponsesAsync(fullSessions[Random.Shared.Next(Sessions)], afterId: null));

        var report = new Report("w1", $"responses polling, {Sessions} sessions per variant, {options.Concurrency} concurrent clients");
        report.Check("requests/s (cursor)", PerSecond(cursor), $">= {targets.PollsPerSecond:0}", cursor.PerSecond >= targets.PollsPerSecond);
        report.AddLatency("latency (cursor)", cursor.Latency, targets.PollP99Ms);
        report.AddErrors(cursor.Errors, cursor.Ok + cursor.Errors, clients.Failures);
        report.AddHost(hosts, cursor.Cpu, cursor.Ok + cursor.Errors, "cursor: ");
        report.Add($"requests/s (no cursor, {RepliesWithoutCursor} replies)", PerSecond(noCursor));
        report.AddLatency("latency (no cursor)", noCursor.Latency, targets.PollP99Ms);
        report.Check("errors (no cursor)", $"{noCursor.Errors} of {noCursor.Ok + noCursor.Errors}", "0", noCursor.Errors == 0);
        report.AddHost(hosts, noCursor.Cpu, noCursor.Ok + noCursor.Errors, "no cursor: ");
        if (options.Provider == BenchOptions.Sqlite)
        {
            await RunCeilingAsync(report, hosts.First, fullSessions, cursor, noCursor, options);
        }
        else
        {
            report.Add("ceiling", "not run: the bare host reads the SQLite file");
        }
        if (options.Timeline)
        {
            report.AddTimeline(cursor.Timeline, cursor.CpuTimeline);
        }
        return report;
    }

    /// <summary>The bare Kestrel + SQLite host reading the same file, and both variants' ratios to it.</summary>
    private static async Task RunCeilingAsync(
        Report report, HostProcess host, string[] fullSessions, LoadResult cursor, LoadResult noCursor, BenchOptions options)
    {
        await using var ceilingHost = await HostProcess.StartCeilingAsync(host.DatabasePath);
        using var ceilingClient = new BridgeClient(ceilingHost.BaseAddress, apiKey: "", options.Concurrency + 16, new ErrorTally());
        var ceiling = await LoadRunner.RunAsync(ceilingHost, options.Concurrency, options.Warmup, options.Duration, ceilingClient.Failures, _ =>
            ceilingClient.ReadAsync(new Uri($"responses?session_id={fullSessions[Random.Shared.Next(Sessions)]}", UriKind.Relative)));
        report.Add("requests/s (bare Kestrel + SQLite ceiling)", PerSecond(ceiling));
        report.AddLatency("latency (ceiling)", ceiling.Latency);
        report.Check("errors (ceiling)", $"{ceiling.Errors} of {ceiling.Ok + ceiling.Errors}", "0", ceiling.Errors == 0);
        report.AddHost(ceilingHost, ceiling.Cpu, ceiling.Ok + ceiling.Errors, "ceiling: ");
        CheckRatio(report, "cursor", cursor, ceiling);
        CheckRatio(report, "no cursor", noCursor, ceiling);
    }

    /// <summary>A session with one message and <paramref name="replies"/> replies to it; returns the last reply's id.</summary>
    private static async Task<long> SeedAsync(BridgeClient client, string sessionId, int replies)
    {
        var messageId = await client.PostMessageAsync(sessionId, "Hello from the benchmark")
            ?? throw new InvalidOperationException("Seeding a message failed");
        long replyId = 0;
        for (var r = 0; r < replies; r++)
        {
            replyId = await client.PostOutboxAsync(sessionId, $"Seeded reply {r + 1}", messageId)
                ?? throw new InvalidOperationException("Seeding a reply failed");
        }
        return replyId;
    }

    /// <summary>Throughput and host CPU per request, each as a share of the ceiling's; throughput is the target.</summary>
    private static void CheckRatio(Report report, string variant, LoadResult bridge, LoadResult ceiling)
    {
        var ratio = bridge.PerSecond / Math.Max(1, ceiling.PerSecond);
        report.Check($"{variant} / ceiling, requests/s", ratio.ToString("0.00×", CultureInfo.InvariantCulture), $">= {TargetCeilingRatio:0.0}×", ratio >= TargetCeilingRatio);
        var cpuRatio = PerOperation(ceiling) / Math.Max(1e-9, PerOperation(bridge));
        report.Add($"{variant} / ceiling, 1 / host CPU per request", cpuRatio.ToString("0.00×", CultureInfo.InvariantCulture));
    }

    private static double PerOperation(LoadResult result) => result.Cpu.HostCpu.TotalMicroseconds / Math.Max(1, result.Ok + result.Errors);

    private static string PerSecond(LoadResult result) => result.PerSecond.ToString("0", CultureInfo.InvariantCulture);
}
