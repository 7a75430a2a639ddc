using System.Threading.RateLimiting;
using ChatBridge.Configuration;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Settings;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ChatBridge.Access;

/// <summary>
/// Hourly fixed-window limits per client address on ASP.NET Core's rate-limiting middleware. Each limit is read from
/// the settings on every request and is part of the partition, so a limit changed through <c>config</c> applies at once;
/// <c>0</c>, or <c>ChatBridge:RateLimiting:Enabled=false</c>, means no limit. The provider's <see cref="IClientLimiters"/>
/// decides where the windows are counted: in this process, or in the database all instances share.
/// </summary>
internal static class RateLimits
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public static IServiceCollection AddBridgeRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<RateLimitGeneration>();
        services.AddRateLimiter(options =>
        {
            foreach (var (policy, setting) in LimitSettings.Settings)
            {
                options.AddPolicy(policy, http => Partition(http, policy, setting));
            }
            options.OnRejected = (rejected, _) =>
            {
                var http = rejected.HttpContext;
                var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "unknown";
                http.RequestServices.GetRequiredService<BridgeMetrics>().RateLimitRefused(policy);
                return new ValueTask(Envelope.RateLimited(RetryAfterSeconds(rejected.Lease, Window)).ExecuteAsync(http));
            };
        });
        return services;
    }

    /// <summary>
    /// The limiter's partitioner cannot wait for the settings, so they are loaded here, once per rate-limited request,
    /// after authorization (a refused key never spends a permit) and before the limiter. With
    /// <c>ChatBridge:RateLimiting:Enabled=false</c> neither runs: the endpoints' rate-limiting metadata is then inert.
    /// </summary>
    public static WebApplication UseBridgeRateLimiting(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.RateLimiting.Enabled)
        {
            return app;
        }
        var settings = app.Services.GetRequiredService<SettingsStore>();
        app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
            {
                http.Features.Set(await settings.GetAsync(http.RequestAborted));
            }
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitPartition<PartitionKey> Partition(HttpContext http, string policy, string setting)
    {
        var exempt = LimitSettings.AdminExempt.Contains(policy) && Caller.IsAdminRequest(http.User);
        var limit = exempt ? 0 : http.Features.Get<BridgeSettings>()!.RateLimit(setting);
        var partition = new PartitionKey(http.RequestServices.GetRequiredService<RateLimitGeneration>().Current, ClientAddress.Of(http), limit);
        var limiters = http.RequestServices.GetRequiredService<IClientLimiters>();
        return limit > 0
            ? RateLimitPartition.Get(partition, p => limiters.Create(policy, p.Client, p.Limit, Window))
            : RateLimitPartition.GetNoLimiter(default(PartitionKey));
    }

    /// <summary>Seconds until a refused lease's window reopens, at least 1.</summary>
    public static int RetryAfterSeconds(RateLimitLease lease, TimeSpan window) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : (int)window.TotalSeconds;

    /// <summary>The policy name is not in the key: the middleware keeps each policy's partitions apart already.</summary>
    private readonly record struct PartitionKey(int Generation, string Client, int Limit);

}

/// <summary>
/// Bumped by <c>clear_data</c>, which forgets every count: new partitions start full, the old ones idle out. Counts
/// kept in a shared database go with the chat data, on every instance at once.
/// </summary>
internal sealed class RateLimitGeneration
{
    private int _current;

    public int Current => Volatile.Read(ref _current);

    public void Reset() => Interlocked.Increment(ref _current);
}
