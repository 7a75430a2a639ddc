using System.IO.Compression;
using ChatBridge.Http;
using ChatBridge.Widget;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.FileProviders;

namespace ChatBridge.Hosting;

internal static class BridgeHostExtensions
{
    public const string DefaultUrl = "http://localhost:8001";

    /// <summary>
    /// Host settings of our own, ahead of the command line so that its arguments still override them:
    /// <list type="bullet">
    /// <item>The content root is the application's folder, not the working directory, so that appsettings.json is
    /// found however the service is started (a service manager, or <c>dotnet path/ChatBridge.dll</c> from elsewhere).
    /// Without it the file was silently skipped and the defaults logged four lines per request.</item>
    /// <item>appsettings*.json are not watched. A watch covers the whole content root, which may hold the database
    /// and the logs: every commit and log line then wakes the watcher thread, 11 % of the CPU when posting messages.
    /// Nothing here rereads its options anyway; a changed setting takes a restart.</item>
    /// </list>
    /// </summary>
    public static string[] WithHostDefaults(string[] args) =>
        [$"--contentRoot={AppContext.BaseDirectory}", "--hostBuilder:reloadConfigOnChange=false", .. args];

    /// <summary>Port 8001 unless <c>--urls</c>, <c>ASPNETCORE_URLS</c> or another standard setting names an address.</summary>
    public static WebApplicationBuilder ListenOnDefaultPort(this WebApplicationBuilder builder)
    {
        var configured = new[] { "urls", "http_ports", "https_ports", "Kestrel:Endpoints" }
            .Any(key => builder.Configuration.GetSection(key).Exists() || !string.IsNullOrEmpty(builder.Configuration[key]));
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        return builder;
    }

    /// <summary>
    /// Pages, scripts and styles go out gzipped: the widget's loader is fetched by every page of an embedding site
    /// (16.7 KB raw, 5.6 KB gzipped), and Bootstrap's stylesheet in the panel is 227 KB raw, 30 KB gzipped. Gzip
    /// rather than Brotli: the middleware compresses on every request, and .NET's Brotli at its middle level made
    /// larger files than gzip here while its smallest level costs far more CPU. Only non-API paths are compressed
    /// (see <see cref="UseChatUi"/>), so polls stay as cheap as they are and no answer carrying a session id is
    /// compressed next to text an attacker chose (BREACH).
    /// </summary>
    public static IServiceCollection AddChatUi(this IServiceCollection services) => services
        .AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<GzipCompressionProvider>();
        })
        .Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Optimal);

    /// <summary>The chat page at <c>/</c> and the admin page at <c>/admin</c>, from the top-level <c>wwwroot/</c>.</summary>
    public static WebApplication UseChatUi(this WebApplication app)
    {
        // The build copies the repository's wwwroot/ beside the assembly; serving from there explicitly keeps
        // the pages found whatever content root a host (or a test factory) chooses.
        var pages = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        // Both middlewares run before routing and ask the file system about every path: for an API request that
        // was two stat calls per poll (4 % of w1's CPU). No page lives under /api, so API requests skip them.
        app.UseWhen(http => !http.Request.Path.StartsWithSegments(ActionRoute.Prefix, StringComparison.OrdinalIgnoreCase), pageFiles =>
        {
            pageFiles.UseResponseCompression();
            pageFiles.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
            pageFiles.UseStaticFiles(new StaticFileOptions { FileProvider = pages, OnPrepareResponse = WidgetExtensions.SetCaching });
        });
        app.MapGet("/admin", () => Results.File(pages.GetFileInfo("admin.html").CreateReadStream(), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }
}
