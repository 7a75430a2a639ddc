using System.Threading.RateLimiting;

namespace ChatBridge.Api;

/// <summary>
/// Counts wrong keys per client: one that guesses <see cref="GuessLimit"/> times within <see cref="GuessWindow"/> is
/// refused every keyed action (429) until the window reopens, whatever key it sends then.
/// </summary>
internal sealed class KeyLockout : IDisposable
{
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

    /// <summary>Whether the client has used up its wrong guesses; asking takes no permit.</summary>
    public bool IsLockedOut(string client, out int retryAfterSeconds)
    {
        using var lease = _guesses.AttemptAcquire(client, permitCount: 0);
        if (lease.IsAcquired)
        {
            retryAfterSeconds = 0;
            return false;
        }
        retryAfterSeconds = RateLimits.RetryAfterSeconds(lease, GuessWindow);
        return true;
    }

    public void RecordWrongKey(string client) => _guesses.AttemptAcquire(client).Dispose();

    public void Dispose() => _guesses.Dispose();
}
