namespace ChatBridge.Hosting;

/// <summary>
/// Response headers that make the pages hard to abuse: scripts and styles only from this origin (no inline
/// script), no framing, no MIME sniffing, no referrer leaking session ids to other sites.
/// </summary>
internal static class SecurityHeaders
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // Swagger UI runs inline script of its own; every other page is held to the strict policy.
            if (!http.Request.Path.StartsWithSegments("/swagger"))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
            }
            return next(http);
        });
        return app;
    }
}
