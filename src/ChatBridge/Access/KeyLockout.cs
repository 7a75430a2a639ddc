using System.Threading.RateLimiting;

namespace ChatBridge.Access;

/// <summary>
/// Counts wrong keys per client: one that guesses <see cref="GuessLimit"/> times within <see cref="GuessWindow"/> is
/// refused every keyed action (429) until the window reopens, whatever key it sends then.
/// </summary>
internal interface IKeyLockout
{
    const int GuessLimit = 10;

    static readonly TimeSpan GuessWindow = TimeSpan.FromMinutes(15);

    /// <summary>Seconds until a locked-out client may present a key again, or null when it is not locked out; asking takes no permit.</summary>
    ValueTask<int?> RetryAfterAsync(string client, CancellationToken ct);

    ValueTask RecordWrongKeyAsync(string client, CancellationToken ct);
}

/// <summary>Wrong keys counted in this process, for the one instance on SQLite.</summary>
internal sealed class InProcessKeyLockout : IKeyLockout, IDisposable
{
    private readonly PartitionedRateLimiter<string> _guesses = PartitionedRateLimiter.Create<string, string>(
        client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = IKeyLockout.GuessLimit,
            Window = IKeyLockout.GuessWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    // Asking with zero permits must stay synchronous: an asynchronous ask would queue until the window reopens.
    public ValueTask<int?> RetryAfterAsync(string client, CancellationToken ct)
    {
        using var lease = _guesses.AttemptAcquire(client, permitCount: 0);
        return ValueTask.FromResult(lease.IsAcquired ? null : (int?)RateLimits.RetryAfterSeconds(lease, IKeyLockout.GuessWindow));
    }

    public ValueTask RecordWrongKeyAsync(string client, CancellationToken ct)
    {
        _guesses.AttemptAcquire(client).Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _guesses.Dispose();
}

/// <summary>Wrong keys counted in the database every instance shares: guesses spread over instances add up.</summary>
internal sealed class SharedKeyLockout(IRateCounterStore store, TimeProvider time) : IKeyLockout, IDisposable
{
    /// <summary>Its rows in <c>bridge_rate_counters</c>, apart from the rate-limiting policies'.</summary>
    private const string Policy = "wrong_key";

    private readonly PartitionedRateLimiter<string> _guesses = PartitionedRateLimiter.Create<string, string>(
        client => RateLimitPartition.Get(client, c => new SharedWindowLimiter(store, time, Policy, c, IKeyLockout.GuessLimit, IKeyLockout.GuessWindow)));

    public async ValueTask<int?> RetryAfterAsync(string client, CancellationToken ct)
    {
        using var lease = await _guesses.AcquireAsync(client, permitCount: 0, ct);
        return lease.IsAcquired ? null : RateLimits.RetryAfterSeconds(lease, IKeyLockout.GuessWindow);
    }

    public async ValueTask RecordWrongKeyAsync(string client, CancellationToken ct) =>
        (await _guesses.AcquireAsync(client, cancellationToken: ct)).Dispose();

    public void Dispose() => _guesses.Dispose();
}
