using System.Diagnostics;

namespace ChatBridge.Bench;

/// <summary>
/// Closed-loop load: each worker runs its operation back to back. Operations started during the warm-up are not
/// counted, nor is the CPU spent then (mostly the JIT compiling hot paths); the run stops starting new operations
/// when the measured window ends.
/// </summary>
internal static class LoadRunner
{
    /// <param name="operation">Given the worker index; returns false (or throws) for an error.</param>
    public static async Task<LoadResult> RunAsync(
        IMeasuredHost host, int workers, TimeSpan warmup, TimeSpan duration, ErrorTally failures, Func<int, Task<bool>> operation)
    {
        var latency = new LatencyRecorder();
        long ok = 0, errors = 0;
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var runFrom = Stopwatch.GetTimestamp();
        var timeline = new long[(int)Math.Ceiling((warmup + duration).TotalSeconds) + 1];

        async Task WorkerAsync(int worker)
        {
            // Start every worker off the caller's thread so that a synchronous first step does not serialise them.
            await Task.Yield();
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= measureUntil)
                {
                    return;
                }
                bool success;
                try
                {
                    success = await operation(worker);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
                {
                    failures.Add(e.GetType().Name);
                    success = false;
                }
                if (success)
                {
                    Interlocked.Increment(ref timeline[Math.Min(timeline.Length - 1, (start - runFrom) / Stopwatch.Frequency)]);
                }
                if (start < measureFrom)
                {
                    continue;
                }
                latency.RecordSince(start);
                Interlocked.Increment(ref success ? ref ok : ref errors);
            }
        }

        var cpuWindow = Task.Delay(warmup).ContinueWith(_ => CpuWindow.Start(host), TaskScheduler.Default);
        using var stopSampling = new CancellationTokenSource();
        var cpuTimeline = SampleCpuAsync(host, timeline.Length, stopSampling.Token);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(WorkerAsync));
        await stopSampling.CancelAsync();
        return new LoadResult(ok, errors, duration, latency.Summarize(), (await cpuWindow).Stop(), timeline, await cpuTimeline);
    }

    /// <summary>
    /// The host's CPU time used in each second of the run. Unlike throughput it hardly changes when other processes
    /// share the cores, so per operation it shows the JIT's warm-up even on a busy machine.
    /// </summary>
    private static async Task<IReadOnlyList<TimeSpan>> SampleCpuAsync(IMeasuredHost host, int seconds, CancellationToken stop)
    {
        var used = new List<TimeSpan>(seconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var last = host.CpuTime();
        try
        {
            while (used.Count < seconds && await timer.WaitForNextTickAsync(stop))
            {
                var now = host.CpuTime();
                used.Add(now - last);
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        return used;
    }
}

/// <param name="Cpu">Over the measured window only.</param>
/// <param name="Timeline">Operations that succeeded, by the second (from the first) in which they started.</param>
/// <param name="CpuTimeline">The host's CPU time in each second of the run.</param>
internal sealed record LoadResult(
    long Ok, long Errors, TimeSpan Duration, LatencySummary Latency, CpuUse Cpu, IReadOnlyList<long> Timeline, IReadOnlyList<TimeSpan> CpuTimeline)
{
    public double PerSecond => Ok / Duration.TotalSeconds;
}
