using System.Globalization;

namespace ChatBridge.Bench;

/// <summary>What one workload measured, and whether it met its targets.</summary>
internal sealed class Report(string name, string title)
{
    private readonly List<(string Metric, string Value, string Target, bool? Pass)> _rows = [];

    public string Name { get; } = name;

    public bool AllPassed => _rows.All(r => r.Pass != false);

    public void Add(string metric, string value) => _rows.Add((metric, value, "", null));

    public void Check(string metric, string value, string target, bool pass) => _rows.Add((metric, value, target, pass));

    public void AddLatency(string metric, LatencySummary latency, double? p99TargetMs = null)
    {
        Add($"{metric} p50 / max", string.Create(CultureInfo.InvariantCulture, $"{latency.P50Ms:0.00} ms / {latency.MaxMs:0.0} ms ({latency.Count} samples)"));
        var p99 = string.Create(CultureInfo.InvariantCulture, $"{latency.P99Ms:0.00} ms");
        if (p99TargetMs is { } target)
        {
            Check($"{metric} p99", p99, string.Create(CultureInfo.InvariantCulture, $"< {target} ms"), latency.Count > 0 && latency.P99Ms < target);
        }
        else
        {
            Add($"{metric} p99", p99);
        }
    }

    public void AddErrors(long errors, long total, ErrorTally failures)
    {
        Check("errors", $"{errors} of {total}", "0", errors == 0);
        if (errors > 0)
        {
            Add("error kinds", failures.ToString());
        }
    }

    /// <param name="operations">What the host handled in the window; its CPU time per operation does not depend on how
    /// much of the shared cores other processes took, unlike throughput.</param>
    /// <param name="prefix">Names the run, where one report holds several (w1's variants and its ceiling).</param>
    public void AddHost(IMeasuredHost host, CpuUse cpu, long operations, string prefix = "")
    {
        var (hostCpu, benchCpu, wall) = cpu;
        var (peak, current) = host.Memory();
        Add($"{prefix}host memory", string.Create(CultureInfo.InvariantCulture, $"peak (VmHWM) {peak:0} MiB, now (VmRSS) {current:0} MiB"));
        Add($"{prefix}CPU used (2 cores shared)", string.Create(CultureInfo.InvariantCulture,
            $"host {hostCpu.TotalSeconds / wall.TotalSeconds:0.00} cores, load generator {benchCpu.TotalSeconds / wall.TotalSeconds:0.00} cores"));
        Add($"{prefix}host CPU per operation", string.Create(CultureInfo.InvariantCulture, $"{hostCpu.TotalMicroseconds / Math.Max(1, operations):0} µs"));
        // Other processes on the machine take their share of the same cores; the load average shows how much.
        var load = File.ReadAllText("/proc/loadavg").Split(' ');
        Add("machine load average", $"{load[0]} / {load[1]} / {load[2]} (1 / 5 / 15 min)");
    }

    /// <summary>Operations, and the host's CPU per operation (µs), in each second from the start.</summary>
    public void AddTimeline(IReadOnlyList<long> perSecond, IReadOnlyList<TimeSpan> cpuPerSecond)
    {
        Add("per second from start", string.Join(' ', perSecond.Select(n => n.ToString(CultureInfo.InvariantCulture))));
        Add("host µs CPU/op, by second", string.Join(' ', cpuPerSecond.Zip(perSecond).Select(
            s => s.Second == 0 ? "-" : (s.First.TotalMicroseconds / s.Second).ToString("0", CultureInfo.InvariantCulture))));
    }

    public void Print(TextWriter output)
    {
        output.WriteLine($"== {Name}: {title}");
        var metricWidth = _rows.Max(r => r.Metric.Length);
        var valueWidth = _rows.Max(r => r.Value.Length);
        foreach (var (metric, value, target, pass) in _rows)
        {
            var verdict = pass switch { true => "PASS", false => "FAIL", null => "" };
            output.WriteLine($"  {metric.PadRight(metricWidth)}  {value.PadRight(valueWidth)}  {(target.Length > 0 ? $"target {target}" : ""),-18} {verdict}".TrimEnd());
        }
        output.WriteLine();
    }
}
