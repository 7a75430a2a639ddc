using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatBridge.Tests.Browser.Widget;

/// <summary>
/// A site that embeds the widget: its own pages on its own loopback port, so the bridge is another origin, as it
/// is in production. Pages are registered by the tests; each may carry a Content-Security-Policy.
/// </summary>
public sealed class HostSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Html, string? Policy)> _pages = new();
    private readonly WebApplication _app;

    private HostSite(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The site's origin as a browser names it, <c>http://host:port</c>.</summary>
    public string Origin => BaseUrl.GetLeftPart(UriPartial.Authority);

    /// <param name="hostName">The name the browser uses for the loopback address; another name is another site.</param>
    public static async Task<HostSite> StartAsync(string hostName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        HostSite? site = null;
        app.MapGet("/{**path}", (HttpContext http, string? path) =>
        {
            if (!site!._pages.TryGetValue($"/{path}", out var page))
            {
                return Results.NotFound();
            }
            if (page.Policy is { } policy)
            {
                http.Response.Headers.ContentSecurityPolicy = policy;
            }
            return Results.Content(page.Html, "text/html; charset=utf-8");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;
        site = new HostSite(app, new Uri($"http://{hostName}:{port}/"));
        return site;
    }

    public void Serve(string path, string html, string? policy = null) => _pages[path] = (html, policy);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
