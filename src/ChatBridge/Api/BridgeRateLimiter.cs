using System.Threading.RateLimiting;
using ChatBridge.Observability;

namespace ChatBridge.Api;

/// <summary>
/// Hourly fixed-window limits per action and client IP, on ASP.NET Core's partitioned rate limiter.
/// The limit is part of the partition, so a limit changed through <c>config</c> applies at once.
/// Wrong keys are counted too: a client that guesses too often is locked out of keyed actions for a while.
/// </summary>
internal sealed class BridgeRateLimiter(BridgeMetrics metrics) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>Wrong keys one client may present per <see cref="GuessWindow"/> before it is locked out.</summary>
    public const int GuessLimit = 10;

    private static readonly TimeSpan GuessWindow = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _guesses = PartitionedRateLimiter.Create<string, string>(
        client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = GuessLimit,
            Window = GuessWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private readonly PartitionedRateLimiter<Partition> _limiter = PartitionedRateLimiter.Create<Partition, Partition>(
        partition => RateLimitPartition.GetFixedWindowLimiter(partition, p => new FixedWindowRateLimiterOptions
        {
            PermitLimit = p.Limit,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    // Bumped by Reset: new partitions start full, the old ones idle out.
    private int _generation;

    /// <summary>Takes one permit; when none is left, says how many seconds until the window reopens.</summary>
    public bool TryAcquire(string action, string client, int limit, out int retryAfterSeconds)
    {
        using var lease = _limiter.AttemptAcquire(new Partition(Volatile.Read(ref _generation), action, client, limit));
        return Granted(lease, Window, out retryAfterSeconds) || Refused(action);
    }

    /// <summary>Whether the client has used up its wrong guesses; asking takes no permit.</summary>
    public bool IsLockedOut(string client, out int retryAfterSeconds)
    {
        using var lease = _guesses.AttemptAcquire(client, permitCount: 0);
        return !Granted(lease, GuessWindow, out retryAfterSeconds) && !Refused("wrong_key_lockout");
    }

    public void RecordWrongKey(string client) => _guesses.AttemptAcquire(client).Dispose();

    private static bool Granted(RateLimitLease lease, TimeSpan window, out int retryAfterSeconds)
    {
        if (lease.IsAcquired)
        {
            retryAfterSeconds = 0;
            return true;
        }
        retryAfterSeconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : (int)window.TotalSeconds;
        return false;
    }

    /// <summary>Counts a refusal for <c>/metrics</c>; always false, so it reads as the refusal it records.</summary>
    private bool Refused(string reason)
    {
        metrics.RateLimitRefused(reason);
        return false;
    }

    /// <summary>Forgets every count, as <c>clear_data</c> promises.</summary>
    public void Reset() => Interlocked.Increment(ref _generation);

    public void Dispose()
    {
        _limiter.Dispose();
        _guesses.Dispose();
    }

    private readonly record struct Partition(int Generation, string Action, string Client, int Limit);
}
