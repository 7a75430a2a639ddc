using System.Globalization;

namespace ChatBridge.Bench;

/// <summary>
/// How long the host's write transactions held SQLite's write lock during a workload, from its commit histogram: what
/// another program on the same file (the control app, which waits at most 5 s for the lock) could have waited at most.
/// </summary>
internal static class WriteLockHold
{
    private const string Histogram = "chatbridge_write_commit_duration_seconds";

    /// <summary>For example <c>41 203 transactions, mean 0.21 ms, longest ≤ 25 ms</c>; null when the host has no such histogram.</summary>
    public static async Task<string?> DescribeAsync(Uri baseAddress)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var text = await client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        List<(double UpperBound, double Count)> buckets = [];
        double? count = null;
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(Histogram + "_bucket{", StringComparison.Ordinal) && Bound(line) is { } upper)
            {
                buckets.Add((upper, Value(line)));
            }
            else if (line.StartsWith(Histogram + "_count", StringComparison.Ordinal))
            {
                count = Value(line);
            }
            else if (line.StartsWith(Histogram + "_sum", StringComparison.Ordinal))
            {
                sum = Value(line);
            }
        }
        if (count is not { } total || total == 0 || sum is not { } seconds)
        {
            return null;
        }
        // The longest commit lies in the first bucket that already holds every commit.
        var longest = buckets.OrderBy(b => b.UpperBound).FirstOrDefault(b => b.Count >= total).UpperBound;
        var bound = double.IsPositiveInfinity(longest) ? "over the largest bucket" : string.Create(CultureInfo.InvariantCulture, $"≤ {longest * 1000:0.#} ms");
        return string.Create(CultureInfo.InvariantCulture, $"{total:N0} transactions, mean {seconds / total * 1000:0.00} ms, longest {bound}");
    }

    private static double? Bound(string line)
    {
        var start = line.IndexOf("le=\"", StringComparison.Ordinal) + 4;
        var end = line.IndexOf('"', start);
        var le = line[start..end];
        return le == "+Inf" ? double.PositiveInfinity : double.TryParse(le, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
}
