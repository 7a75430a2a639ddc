using System.Text.Json;
using ChatBridge.Chat;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBridge.Hosting;

internal static class HealthExtensions
{
    public static IServiceCollection AddBridgeHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    /// <summary><c>GET /health</c>: 200 when every check passes, 503 otherwise, with each check's result as JSON.</summary>
    public static WebApplication MapBridgeHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            duration_ms = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, cancellationToken: http.RequestAborted);
    }
}

/// <summary>Healthy when the control database opens and its chat tables answer a query.</summary>
internal sealed class DatabaseHealthCheck(ISessionStore sessions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return HealthCheckResult.Healthy($"{await sessions.CountSessionsAsync(cancellationToken)} chat sessions");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The control database cannot be used.", e);
        }
    }
}
