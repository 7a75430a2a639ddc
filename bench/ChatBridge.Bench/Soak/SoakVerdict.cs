using System.Globalization;

namespace ChatBridge.Bench.Soak;

/// <summary>
/// Whether the host stayed flat: over the last two thirds of the run (the first third is warm-up: pools, caches, the
/// JIT's second tier), private memory, the GC heap and handles grow by less than 5 %, measured by the least-squares line
/// through the samples (one high sample does not fail it, a steady climb does); the WAL is no larger at the end than
/// before; and no call failed. RSS is shown too but not judged: besides private memory it holds the pages of the
/// runtime's and the framework's code that the load has touched so far and the JIT's optimised code, which grow as
/// rarer paths run for the first time and are not a leak.
/// </summary>
internal static class SoakVerdict
{
    public const double MaxGrowth = 0.05;

    public static bool Print(IReadOnlyList<SoakSample> samples, SoakActions actions, TextWriter output)
    {
        var end = samples[^1].Minutes;
        var settled = samples.Where(s => s.Minutes >= end / 3).ToList();
        var pass = true;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Over the last two thirds ({settled[0].Minutes:0.0} to {end:0.0} min, {settled.Count} samples), growth by the fitted line:"));
        foreach (var (name, pick, judged) in new (string, Func<SoakSample, double>, bool)[]
        {
            ("private", s => s.PrivateMb, true), ("GC heap", s => s.GcHeapMb, true), ("handles", s => s.Handles, true),
            ("RSS", s => s.RssMb, false), ("threads", s => s.Threads, false),
        })
        {
            // Rounded to what is printed, plus 0.0 so that a rounded negative zero prints as +0.0 %, not -+0.0 %.
            var growth = Math.Round(Growth(settled, pick), 3) + 0.0;
            var ok = !judged || growth < MaxGrowth;
            pass &= ok;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-8} {pick(settled[0]),8:0.0} -> {pick(settled[^1]),8:0.0}   growth {growth,7:+0.0%;-0.0%}   {(judged ? ok ? "pass (< 5 %)" : "FAIL (< 5 %)" : "shown")}"));
        }
        var walBefore = samples.Where(s => s.Minutes < end * 2 / 3).Max(s => s.WalMb);
        var walAfter = samples.Where(s => s.Minutes >= end * 2 / 3).Max(s => s.WalMb);
        var walBounded = walAfter <= walBefore * (1 + MaxGrowth) + 0.5;
        pass &= walBounded;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  WAL largest {walBefore:0.0} MiB in the first two thirds, {walAfter:0.0} MiB in the last: {(walBounded ? "bounded, pass" : "still growing, FAIL")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  database {samples[0].DatabaseMb:0.0} -> {samples[^1].DatabaseMb:0.0} MiB (the rows the load stored)"));
        var errors = actions.TotalErrors;
        pass &= errors == 0;
        output.WriteLine($"  calls {actions.TotalCalls}, errors {errors}: {(errors == 0 ? "pass" : "FAIL")}");
        foreach (var (reason, count) in actions.ErrorsByReason())
        {
            output.WriteLine($"    {count} x {reason}");
        }
        output.WriteLine("  per action (calls, errors, p99 of the 10 s windows: median / worst):");
        foreach (var (name, calls, failed) in actions.Totals())
        {
            var p99s = samples.Select(s => s.P99Ms[name]).OfType<double>().Order().ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {name,-20} {calls,8} {failed,4}   {(p99s.Count == 0 ? "-" : $"{p99s[p99s.Count / 2],7:0.0} / {p99s[^1],7:0.0} ms")}"));
        }
        output.WriteLine(pass ? "Soak passed." : "Soak FAILED (above).");
        return pass;
    }

    /// <summary>The fitted line's rise from the first sample's time to the last's, relative to its value at the first.</summary>
    public static double Growth(IReadOnlyList<SoakSample> samples, Func<SoakSample, double> pick)
    {
        var n = samples.Count;
        var meanT = samples.Average(s => s.Minutes);
        var meanY = samples.Average(pick);
        var covariance = samples.Sum(s => (s.Minutes - meanT) * (pick(s) - meanY));
        var variance = samples.Sum(s => (s.Minutes - meanT) * (s.Minutes - meanT));
        if (n < 2 || variance == 0)
        {
            return 0;
        }
        var slope = covariance / variance;
        var start = meanY + slope * (samples[0].Minutes - meanT);
        return start <= 0 ? 0 : slope * (samples[^1].Minutes - samples[0].Minutes) / start;
    }
}
