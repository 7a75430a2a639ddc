using System.Collections.Concurrent;

namespace ChatBridge.Bench;

/// <summary>Counts failures by kind (status and error text, or exception type), so a FAIL on errors says what failed.</summary>
internal sealed class ErrorTally
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string kind) => _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public override string ToString() =>
        string.Join(", ", _counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} x{c.Value}"));
}
