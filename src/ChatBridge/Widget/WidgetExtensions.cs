using ChatBridge.Http;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.AspNetCore.StaticFiles;

namespace ChatBridge.Widget;

/// <summary>
/// The embeddable chat: the loader at <c>/widget.js</c> (and the predecessor's URLs), the panel page at
/// <c>/widget/</c>, the demo at <c>/widget/demo</c>, all static files in <c>wwwroot/</c>; this wires their URLs,
/// caching and the origin check.
/// </summary>
internal static class WidgetExtensions
{
    public const string PanelPath = "/widget/";
    private const string LoaderPath = "/widget.js";
    private const string CataloguePath = "/i18n";

    public static IServiceCollection AddWidget(this IServiceCollection services) => services.AddSingleton<AllowedOrigins>();

    /// <summary>Before the static files: old embed URLs serve today's loader, and foreign origins are refused.</summary>
    public static WebApplication UseWidget(this WebApplication app)
    {
        app.UseRewriter(new RewriteOptions()
            .AddRewrite(@"^chat/widget\.js$", LoaderPath[1..], skipRemainingRules: true)
            .AddRewrite(@"^widget/static/js/chat-widget\.js$", LoaderPath[1..], skipRemainingRules: true)
            .AddRewrite(@"^widget/demo$", "widget/demo.html", skipRemainingRules: true));
        app.UseWidgetOriginCheck();
        return app;
    }

    /// <summary><c>GET /widget/config</c>: answers a site allowed to embed the widget; <see cref="OriginCheck"/> refuses the others.</summary>
    public static WebApplication MapWidget(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<AllowedOrigins>();
        app.MapGet(OriginCheck.ConfigPath, (HttpContext http) =>
        {
            // Past the origin check: the caller is allowed (or sent no Origin), so its page may read the answer.
            http.Response.Headers.AccessControlAllowOrigin = origins.AllowsAny ? "*" : http.Request.Headers.Origin.ToString();
            http.Response.Headers.Vary = "Origin";
            http.Response.Headers.CacheControl = "no-store";
            return Envelope.Ok(new WidgetConfig(PanelPath));
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The loader is referenced by a fixed URL from other sites, so it is cached briefly: a new version reaches
    /// visitors within minutes. The panel's files are revalidated on each load (a cheap 304 while unchanged), and so
    /// are the language catalogues, which the loader also reads from the embedding site's page: public text, readable
    /// by any origin.
    /// </summary>
    public static void SetCaching(StaticFileResponseContext file)
    {
        var path = file.Context.Request.Path;
        if (path.Equals(LoaderPath, StringComparison.OrdinalIgnoreCase))
        {
            file.Context.Response.Headers.CacheControl = "public, max-age=300";
        }
        else if (path.StartsWithSegments(CataloguePath))
        {
            file.Context.Response.Headers.CacheControl = "no-cache";
            file.Context.Response.Headers.AccessControlAllowOrigin = "*";
        }
        else if (path.StartsWithSegments("/widget"))
        {
            file.Context.Response.Headers.CacheControl = "no-cache";
        }
    }

    /// <summary>The <c>Content-Security-Policy</c> <c>frame-ancestors</c> of the panel page: the listed sites, or any.</summary>
    public static string FrameAncestors(AllowedOrigins origins) =>
        origins.AllowsAny ? "frame-ancestors *" : $"frame-ancestors 'self' {string.Join(' ', origins.Origins)}";

    public static bool IsPanelPage(PathString path) =>
        path.Equals(PanelPath, StringComparison.OrdinalIgnoreCase) || path.Equals("/widget/index.html", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What <c>GET /widget/config</c> answers: where the panel page is.</summary>
internal sealed record WidgetConfig(string Panel);
