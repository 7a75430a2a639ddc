using System.Diagnostics;

namespace ChatBridge.Bench;

/// <summary>
/// Closed-loop load: each worker runs its operation back to back. Operations started during the warm-up are not
/// counted; the run stops starting new ones when the measured window ends.
/// </summary>
internal static class LoadRunner
{
    /// <param name="operation">Given the worker index; returns false (or throws) for an error.</param>
    public static async Task<LoadResult> RunAsync(
        int workers, TimeSpan warmup, TimeSpan duration, ErrorTally failures, Func<int, Task<bool>> operation)
    {
        var latency = new LatencyRecorder();
        long ok = 0, errors = 0, completed = 0;
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);

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
                Interlocked.Increment(ref completed);
                if (start < measureFrom)
                {
                    continue;
                }
                latency.RecordSince(start);
                Interlocked.Increment(ref success ? ref ok : ref errors);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(WorkerAsync));
        return new LoadResult(ok, errors, completed, duration, latency.Summarize());
    }
}

/// <param name="Completed">Every operation, warm-up included: the host's CPU time is measured over both.</param>
internal sealed record LoadResult(long Ok, long Errors, long Completed, TimeSpan Duration, LatencySummary Latency)
{
    public double PerSecond => Ok / Duration.TotalSeconds;
}
