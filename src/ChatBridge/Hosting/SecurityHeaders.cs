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

    /// <summary>
    /// Swagger UI gets the same policy but for inline styles: Swashbuckle's page loads every script from files
    /// (<c>index.js</c>), but the UI writes <c>style</c> attributes into markup it renders (a browser test saw it), which
    /// <c>style-src 'self'</c> blocks. Inline style cannot run code; script stays as strict as everywhere else.
    /// </summary>
    private static readonly string SwaggerContentSecurityPolicy =
        ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // The widget's panel page is made to be framed, by the sites allowed to embed the widget only.
        var panelPolicy = $"{PagePolicy}; {WidgetExtensions.FrameAncestors(app.Services.GetRequiredService<AllowedOrigins>())}";
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (WidgetExtensions.IsPanelPage(http.Request.Path))
            {
                headers.ContentSecurityPolicy = panelPolicy;
            }
            else
            {
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger") ? SwaggerContentSecurityPolicy : ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
            }
            return next(http);
        });
        return app;
    }
}
