using System.Globalization;
using ChatBridge.Configuration;
using ChatBridge.Http;
using ChatBridge.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ChatBridge.Hosting;

internal static class LoggingExtensions
{
    /// <summary>
    /// Serilog to the console and to daily files that also roll at <c>LogMaxSizeMb</c>; <c>cleanup_logs</c>
    /// removes old ones. Both are text lines or, with <c>LogFormat</c> <c>json</c>, Serilog's compact JSON (one
    /// object per line) for log shippers. Nothing logged, even at Debug, carries a key or message text: request
    /// logging records the path (never the query or headers) and the resolved action name.
    /// </summary>
    public static WebApplicationBuilder AddChatBridgeLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LogFiles>();
        builder.Services.AddSerilog((services, logger) =>
        {
            var files = services.GetRequiredService<LogFiles>();
            var options = services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value;
            logger
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext();
            var fileSizeLimitBytes = options.LogMaxSizeMb * 1024L * 1024L;
            if (options.LogFormat == LogFormats.Json)
            {
                var json = new CompactJsonFormatter();
                logger.WriteTo.Console(json).WriteTo.File(
                    json,
                    files.PathTemplate,
                    rollingInterval: RollingInterval.Day,
                    fileSizeLimitBytes: fileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: null);
            }
            else
            {
                logger.WriteTo.Console(formatProvider: CultureInfo.InvariantCulture).WriteTo.File(
                    files.PathTemplate,
                    formatProvider: CultureInfo.InvariantCulture,
                    rollingInterval: RollingInterval.Day,
                    fileSizeLimitBytes: fileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: null);
            }
        }, preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// Routine traffic that succeeds is Debug: the chat pages and Broca post and poll many times a second, and a
    /// line for each cost more CPU than serving it (see docs/BENCHMARKS.md), and flooded the files. What an
    /// operator needs to see stays at Information: whatever was done with the admin key, every refusal (4xx),
    /// and failures at Error.
    /// </summary>
    private static LogEventLevel RequestLevel(HttpContext http, double elapsedMs, Exception? error) => error switch
    {
        not null => LogEventLevel.Error,
        _ when http.Response.StatusCode >= 500 => LogEventLevel.Error,
        _ when http.Response.StatusCode >= 400 => LogEventLevel.Information,
        _ when IsAdminAction(http) => LogEventLevel.Information,
        _ => LogEventLevel.Debug,
    };

    private static bool IsAdminAction(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Admin) == true;

    /// <summary>The action an API request reached: the last segment of its route, <c>/api/v1/NAME</c>.</summary>
    private static string ActionOf(HttpContext http) =>
        http.GetEndpoint() is RouteEndpoint { RoutePattern.PathSegments: [_, _, { Parts: [RoutePatternLiteralPart action] }] }
        && http.Request.Path.StartsWithSegments(ActionRoute.Prefix)
            ? action.Content
            : "-";

    public static WebApplication UseChatBridgeRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static one: several hosts in one process (tests) keep their logs apart.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} {Action} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = RequestLevel;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("Action", ActionOf(http));
        });
        // A request its client abandoned (a closed tab, a dropped long poll) is no fault of ours: logged as 499
        // (nginx's "client closed request"), not as an error.
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                http.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            }
        });
        return app;
    }
}
