using System.Net;
using ChatBridge.Configuration;
using ChatBridge.Inbox;
using ChatBridge.Observability;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using IPNetwork = System.Net.IPNetwork;

namespace ChatBridge.Hosting;

/// <summary>
/// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter over ASP.NET Core's own meters (the HTTP server's
/// request duration, Kestrel's connections), the runtime's and the bridge's <see cref="BridgeMetrics"/>.
/// </summary>
internal static class MetricsExtensions
{
    public const string Path = "/metrics";

    /// <summary>
    /// The meters ASP.NET Core and the runtime themselves publish (.NET 9+ needs no instrumentation package): the
    /// runtime's GC heap, thread pool and working set are what tells a leak from a busy day.
    /// </summary>
    private static readonly string[] PlatformMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    public static WebApplicationBuilder AddBridgeMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BridgeMetrics>();
        builder.Services.AddSingleton<InboxBacklog>();
        var options = builder.Configuration.GetSection(ChatBridgeOptions.Section).Get<ChatBridgeOptions>() ?? new();
        if (options.Metrics.Enabled)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(BridgeMetrics.MeterName)
                .AddMeter(PlatformMeters)
                // No cached answer: collecting is cheap (the backlog keeps its own snapshot), and every scrape sees now.
                .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        }
        return builder;
    }

    /// <summary>Answers <c>/metrics</c> for allowed clients only; for anyone else the path does not exist (404).</summary>
    public static WebApplication UseBridgeMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.Metrics;
        if (!options.Enabled)
        {
            return app;
        }
        // Its gauges exist once it does.
        app.Services.GetRequiredService<InboxBacklog>();
        var allowed = Allowed(options.AllowedNetworks);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path == Path && IsAllowed(http.Connection.RemoteIpAddress, allowed));
        return app;
    }

    /// <summary>The configured networks, validated at start; loopback when none are.</summary>
    private static IPNetwork[] Allowed(List<string> configured)
    {
        if (configured.Count == 0)
        {
            return [new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128)];
        }
        return [.. configured.Select(text =>
        {
            NetworkText.TryParse(text, out var network);
            return network;
        })];
    }

    /// <summary>
    /// A request without a remote address came over a Unix socket or from within the process (the test server):
    /// both are local.
    /// </summary>
    private static bool IsAllowed(IPAddress? remote, IPNetwork[] allowed)
    {
        if (remote is null)
        {
            return true;
        }
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        return allowed.Any(network => network.Contains(remote));
    }
}
