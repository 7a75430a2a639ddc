using ChatBridge.Http;

namespace ChatBridge.Widget;

/// <summary>
/// Refuses API requests and WebSocket upgrades that a browser sent from a site not in
/// <see cref="AllowedOrigins"/>. CORS alone only hides the answer from such a page: a simple POST would still be
/// stored, and WebSockets ignore CORS altogether. Requests without an <c>Origin</c> header (Broca, curl) and the
/// bridge's own pages pass.
/// </summary>
internal static class OriginCheck
{
    /// <summary>The widget loader asks this before showing its button, so a refused site gets no widget.</summary>
    public const string ConfigPath = "/widget/config";

    public static WebApplication UseWidgetOriginCheck(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<AllowedOrigins>();
        if (origins.AllowsAny)
        {
            return app;
        }
        app.Use(async (http, next) =>
        {
            var guarded = http.Request.Path.StartsWithSegments("/api") || http.Request.Path.Equals(ConfigPath, StringComparison.OrdinalIgnoreCase);
            if (guarded
                && http.Request.Headers.Origin is [{ } origin]
                && !origins.IsAllowed(origin)
                && !AllowedOrigins.IsOwnOrigin(http, origin))
            {
                // Readable by the refused page, so the widget can say why instead of failing as a network error.
                http.Response.Headers.AccessControlAllowOrigin = origin;
                http.Response.Headers.Vary = "Origin";
                await Envelope.Fail(StatusCodes.Status403Forbidden, Errors.OriginNotAllowed).ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        return app;
    }
}
