using System.Diagnostics;

namespace ChatBridge.Bench.Soak;

/// <summary>
/// What every kind of call did since the last sample: how many, how many failed, and their p99. The sampler takes each
/// window and starts the next, so a figure is the last ten seconds', not an average since the start.
/// </summary>
internal sealed class SoakActions
{
    public static readonly string[] Names =
    [
        "post", "poll with cursor", "poll without cursor", "reply by push", "socket connect", "inbox", "outbox",
        "admin sessions", "admin stats", "admin backlog", "admin transcript", "admin events",
    ];

    private readonly Dictionary<string, Window> _windows = Names.ToDictionary(n => n, _ => new Window(), StringComparer.Ordinal);
    private readonly Dictionary<string, long> _errorsByReason = new(StringComparer.Ordinal);

    public long TotalCalls => _windows.Values.Sum(w => Interlocked.Read(ref w.AllCalls));

    public long TotalErrors => _windows.Values.Sum(w => Interlocked.Read(ref w.AllErrors));

    /// <summary>Runs one call of <paramref name="action"/> and records its time; false (and an error) when it failed or threw.</summary>
    public async Task<bool> TimeAsync(string action, Func<Task<bool>> call)
    {
        var start = Stopwatch.GetTimestamp();
        bool ok;
        string? reason = null;
        try
        {
            ok = await call();
        }
        // A timeout is a failure; a cancellation is the soak ending, and goes up to the actor's loop.
        catch (Exception e) when (e is not OperationCanceledException || e.InnerException is TimeoutException)
        {
            ok = false;
            reason = e.GetType().Name;
        }
        Record(action, Stopwatch.GetTimestamp() - start, ok ? null : reason ?? "refused");
        return ok;
    }

    /// <summary>Records a call timed elsewhere; a non-null <paramref name="error"/> counts it as failed.</summary>
    public void Record(string action, long elapsedTicks, string? error = null)
    {
        var window = _windows[action];
        lock (window)
        {
            window.Ticks.Add(elapsedTicks);
        }
        Interlocked.Increment(ref window.AllCalls);
        if (error is not null)
        {
            Interlocked.Increment(ref window.AllErrors);
            lock (_errorsByReason)
            {
                var key = $"{action}: {error}";
                _errorsByReason[key] = _errorsByReason.GetValueOrDefault(key) + 1;
            }
        }
    }

    /// <summary>Each action's p99 over the window just ended (null when it had no call), and starts the next window.</summary>
    public Dictionary<string, double?> TakeWindow()
    {
        var p99 = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var (name, window) in _windows)
        {
            long[] ticks;
            lock (window)
            {
                ticks = [.. window.Ticks];
                window.Ticks.Clear();
            }
            Array.Sort(ticks);
            p99[name] = ticks.Length == 0 ? null : LatencyRecorder.Percentile(ticks, 0.99);
        }
        return p99;
    }

    public IReadOnlyDictionary<string, long> ErrorsByReason()
    {
        lock (_errorsByReason)
        {
            return new Dictionary<string, long>(_errorsByReason, StringComparer.Ordinal);
        }
    }

    public IEnumerable<(string Name, long Calls, long Errors)> Totals() =>
        _windows.Select(w => (w.Key, Interlocked.Read(ref w.Value.AllCalls), Interlocked.Read(ref w.Value.AllErrors)));

    private sealed class Window
    {
        public readonly List<long> Ticks = [];
        public long AllCalls;
        public long AllErrors;
    }
}
