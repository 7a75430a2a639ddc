using System.Globalization;

namespace ChatBridge.Bench.Workloads;

/// <summary>w2: browsers posting messages to 1 000 sessions (each one a committed write).</summary>
internal static class PostingWorkload
{
    private const int Sessions = 1000;
    private const double TargetPerSecond = 5_000;
    private const double TargetP99Ms = 20;

    public static async Task<Report> RunAsync(HostProcess host, BridgeClient client, BenchOptions options)
    {
        var sessions = Enumerable.Range(0, Sessions).Select(i => $"session_bench_post_{i}").ToArray();
        var result = await LoadRunner.RunAsync(host, options.Concurrency, options.Warmup, options.Duration, client.Failures, async _ =>
            await client.PostMessageAsync(sessions[Random.Shared.Next(Sessions)], "Hello from the benchmark") is not null);

        var report = new Report("w2", $"message posting, {Sessions} sessions, {options.Concurrency} concurrent clients");
        report.Check("messages/s", result.PerSecond.ToString("0", CultureInfo.InvariantCulture), $">= {TargetPerSecond:0}", result.PerSecond >= TargetPerSecond);
        report.AddLatency("latency", result.Latency, TargetP99Ms);
        report.AddErrors(result.Errors, result.Ok + result.Errors, client.Failures);
        report.AddHost(host, result.Cpu, result.Ok + result.Errors);
        if (options.Timeline)
        {
            report.AddTimeline(result.Timeline, result.CpuTimeline);
        }
        return report;
    }
}
