using System.Diagnostics;

namespace ChatBridge.Bench;

/// <summary>
/// Keeps every sample (Stopwatch ticks) and sorts once for percentiles: a short run holds at most a few million,
/// so exact percentiles cost less than a histogram's bucketing would save.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly Lock _lock = new();
    private readonly List<long> _samples = [];

    public void Record(long elapsedTicks)
    {
        lock (_lock)
        {
            _samples.Add(elapsedTicks);
        }
    }

    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetTimestamp() - startTimestamp);

    public LatencySummary Summarize()
    {
        long[] sorted;
        lock (_lock)
        {
            sorted = [.. _samples];
        }
        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Length == 0 ? 0 : ToMs(sorted[^1]));
    }

    /// <summary>Nearest-rank percentile: the smallest sample with at least <paramref name="p"/> of all samples at or below it.</summary>
    public static double Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return ToMs(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

internal sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs)
{
    public override string ToString() => $"p50 {P50Ms:0.00} ms, p99 {P99Ms:0.00} ms, max {MaxMs:0.0} ms ({Count} samples)";
}
