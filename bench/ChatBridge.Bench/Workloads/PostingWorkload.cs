using System.Globalization;

namespace ChatBridge.Bench.Workloads;

/// <summary>w2: browsers posting messages to 1 000 sessions (each one a committed write).</summary>
internal static class PostingWorkload
{
    private const int Sessions = 1000;

    public static async Task<Report> RunAsync(HostGroup hosts, BridgeClients clients, BenchOptions options)
    {
        var targets = options.Targets;
        var sessions = Enumerable.Range(0, Sessions).Select(i => $"session_bench_post_{i}").ToArray();
        var result = await LoadRunner.RunAsync(hosts, options.Concurrency, options.Warmup, options.Duration, clients.Failures, async _ =>
            await clients.Next.PostMessageAsync(sessions[Random.Shared.Next(Sessions)], "Hello from the benchmark") is not null);

        var report = new Report("w2", $"message posting, {Sessions} sessions, {options.Concurrency} concurrent clients");
        report.Check("messages/s", result.PerSecond.ToString("0", CultureInfo.InvariantCulture), $">= {targets.PostsPerSecond:0}", result.PerSecond >= targets.PostsPerSecond);
        report.AddLatency("latency", result.Latency, targets.PostP99Ms);
        report.AddErrors(result.Errors, result.Ok + result.Errors, clients.Failures);
        report.AddHost(hosts, result.Cpu, result.Ok + result.Errors);
        if (options.Timeline)
        {
            report.AddTimeline(result.Timeline, result.CpuTimeline);
        }
        return report;
    }
}
