using System.Globalization;

namespace ChatBridge.Bench.Workloads;

/// <summary>w1: browsers polling <c>responses</c> across 1 000 sessions that each hold one message and one reply.</summary>
internal static class PollingWorkload
{
    private const int Sessions = 1000;
    private const double TargetPerSecond = 10_000;
    private const double TargetP99Ms = 20;

    public static async Task<Report> RunAsync(HostProcess host, BridgeClient client, BenchOptions options)
    {
        var sessions = Enumerable.Range(0, Sessions).Select(i => $"session_bench_poll_{i}").ToArray();
        var replyIds = new long[Sessions];
        await Parallel.ForEachAsync(Enumerable.Range(0, Sessions), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var messageId = await client.PostMessageAsync(sessions[i], "Hello from the benchmark")
                ?? throw new InvalidOperationException("Seeding a message failed");
            replyIds[i] = await client.PostOutboxAsync(sessions[i], "A seeded reply", messageId)
                ?? throw new InvalidOperationException("Seeding a reply failed");
        });

        // after_id is just below the seeded reply, so every poll finds and returns it: the full read path.
        var result = await LoadRunner.RunAsync(host, options.Concurrency, options.Warmup, options.Duration, client.Failures, _ =>
        {
            var i = Random.Shared.Next(Sessions);
            return client.PollResponsesAsync(sessions[i], replyIds[i] - 1);
        });

        var report = new Report("w1", $"responses polling, {Sessions} sessions, {options.Concurrency} concurrent clients");
        report.Check("requests/s", result.PerSecond.ToString("0", CultureInfo.InvariantCulture), $">= {TargetPerSecond:0}", result.PerSecond >= TargetPerSecond);
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
