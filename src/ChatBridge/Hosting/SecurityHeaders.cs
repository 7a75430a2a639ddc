using ChatBridge.Configuration;
using ChatBridge.Widget;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

/// <summary>
/// Response headers that make the pages hard to abuse: scripts and styles only from this origin (no inline
/// script), no framing but of the widget's panel, no MIME sniffing, no referrer leaking session ids to other sites.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Images from this origin (the bridge's own <c>/files/</c> among them), <c>data:</c>, and <c>blob:</c> for the
    /// previews of files chosen to attach; with <c>ChatBridge:Chat:RemoteImages</c>, any https image of an agent's reply too.
    /// </summary>
    private static string PagePolicy(bool remoteImages) =>
        $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{(remoteImages ? " https:" : "")}; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var pagePolicy = PagePolicy(app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.Chat.RemoteImages);
        var contentSecurityPolicy = pagePolicy + "; frame-ancestors 'none'";
        // Swagger UI writes style attributes into the markup it renders (a browser test saw it), which style-src 'self'
        // blocks. Inline style cannot run code; script stays as strict as everywhere else.
        var swaggerContentSecurityPolicy = contentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);
        // The widget's panel page is made to be framed, by the sites allowed to embed the widget only.
        var panelPolicy = $"{pagePolicy}; {WidgetExtensions.FrameAncestors(app.Services.GetRequiredService<AllowedOrigins>())}";
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
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger") ? swaggerContentSecurityPolicy : contentSecurityPolicy;
                headers.XFrameOptions = "DENY";
            }
            return next(http);
        });
        return app;
    }
}
