using System.Globalization;
using ChatBridge.Api;
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
        _ when HandlerOf(http) is { Access: Access.Admin } => LogEventLevel.Information,
        _ => LogEventLevel.Debug,
    };

    private static IActionHandler? HandlerOf(HttpContext http) =>
        http.Items.TryGetValue(ActionDispatcher.ActionItem, out var handler) ? handler as IActionHandler : null;

    public static WebApplication UseChatBridgeRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static one: several hosts in one process (tests) keep their logs apart.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} {Action} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = RequestLevel;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("Action", HandlerOf(http)?.Action ?? "-");
        });
        return app;
    }
}
