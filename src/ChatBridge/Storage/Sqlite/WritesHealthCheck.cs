using ChatBridge.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Unhealthy once the write queue has stopped for good (a restart is the cure); degraded while the disk is full,
/// since reads go on and writes come back by themselves once there is space again.
/// </summary>
internal sealed class WritesHealthCheck(WriteQueue writes) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult((writes.Fault, writes.StorageFullSince) switch
        {
            ({ } fault, _) => HealthCheckResult.Unhealthy(fault.Message, fault.InnerException),
            (_, { } since) => HealthCheckResult.Degraded(
                $"Storage full since {Timestamps.Format(since)}: writes are refused until there is space, reads go on."),
            _ => HealthCheckResult.Healthy("Writes are committed"),
        });
}
