using System.Threading.RateLimiting;

namespace ChatBridge.Access;

/// <summary>Makes the limiter of one client's partition of a policy: where its fixed window is counted.</summary>
internal interface IClientLimiters
{
    RateLimiter Create(string policy, string client, int limit, TimeSpan window);
}

/// <summary>
/// Counts in this process, for the one instance on SQLite: no round trip per request. Auto-replenishment is off
/// because the partitioned limiter that holds these replenishes its partitions on its own timer.
/// </summary>
internal sealed class InProcessLimiters : IClientLimiters
{
    public RateLimiter Create(string policy, string client, int limit, TimeSpan window) =>
        new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
}

/// <summary>Counts in the database every instance shares, so N instances do not give a client N budgets.</summary>
internal sealed class SharedLimiters(IRateCounterStore store, TimeProvider time) : IClientLimiters
{
    public RateLimiter Create(string policy, string client, int limit, TimeSpan window) =>
        new SharedWindowLimiter(store, time, policy, client, limit, window);
}
