using ChatBridge.Widget;

namespace ChatBridge.Hosting;

/// <summary>
/// Response headers that make the pages hard to abuse: scripts and styles only from this origin (no inline
/// script), no framing but of the widget's panel, no MIME sniffing, no referrer leaking session ids to other sites.
/// </summary>
internal static class SecurityHeaders
{
    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'";

    private const string ContentSecurityPolicy = PagePolicy + "; frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // The widget's panel page is made to be framed, by the sites allowed to embed the widget only.
        var panelPolicy = $"{PagePolicy}; {WidgetExtensions.FrameAncestors(app.Services.GetRequiredService<AllowedOrigins>())}";
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // Swagger UI runs inline script of its own; every other page is held to the strict policy.
            if (WidgetExtensions.IsPanelPage(http.Request.Path))
            {
                headers.ContentSecurityPolicy = panelPolicy;
            }
            else if (!http.Request.Path.StartsWithSegments("/swagger"))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
            }
            return next(http);
        });
        return app;
    }
}
