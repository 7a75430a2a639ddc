using System.Threading.RateLimiting;

namespace ChatBridge.Access;

/// <summary>
/// One client's partition of a rate-limiting policy, counted in <see cref="IRateCounterStore"/> so every instance spends
/// the same budget. It keeps no count of its own, so the partitioned limiter may drop it whenever it idles.
/// </summary>
/// <remarks>
/// ASP.NET Core's rate-limiting middleware (.NET 10, <c>RateLimitingMiddleware.TryAcquireAsync</c>) first calls
/// <c>AttemptAcquire</c> and, when that lease is not acquired, <c>AcquireAsync</c>, whose answer decides. Only the
/// asynchronous call may wait for the database, so <c>AttemptAcquire</c> grants nothing and decides nothing, and
/// <c>AcquireAsync</c> takes the permit in one round trip. The middleware counts that wait as queueing in its metrics.
/// </remarks>
internal sealed class SharedWindowLimiter(
    IRateCounterStore store, TimeProvider time, string policy, string client, int limit, TimeSpan window) : RateLimiter
{
    private long _lastUsed = time.GetTimestamp();

    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => WindowLease.Undecided;

    /// <summary>One permit is taken per request; zero permits asks whether the window has one left.</summary>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1);
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        var now = time.GetUtcNow();
        var current = RateWindow.At(now, window);
        var granted = permitCount == 0
            ? await store.HasPermitAsync(policy, client, current, limit, cancellationToken)
            : await store.TryTakeAsync(policy, client, current, limit, cancellationToken);
        return granted ? WindowLease.Granted : WindowLease.RefusedUntil(current.End - now);
    }

    private sealed class WindowLease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Granted = new(true, null);

        public static readonly WindowLease Undecided = new(false, null);

        public static WindowLease RefusedUntil(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
