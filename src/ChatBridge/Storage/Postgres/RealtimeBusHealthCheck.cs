using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBridge.Storage.Postgres;

/// <summary>Unhealthy while this instance cannot hear the others' events (its listening connection is being reopened).</summary>
internal sealed class RealtimeBusHealthCheck(PostgresBus bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bus.HearsEveryInstance
            ? HealthCheckResult.Healthy("Listening for other instances' events")
            : HealthCheckResult.Unhealthy("Not listening for other instances' events; reconnecting"));
}
