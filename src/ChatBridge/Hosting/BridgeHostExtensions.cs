using Microsoft.Extensions.FileProviders;

namespace ChatBridge.Hosting;

internal static class BridgeHostExtensions
{
    public const string DefaultUrl = "http://localhost:8001";

    /// <summary>
    /// Turns off reloading appsettings*.json on change, unless the arguments turn it back on. Reloading puts an
    /// inotify watch on the whole content root, which may hold the database and the logs: every commit and log
    /// line then wakes the watcher thread, which cost 11 % of the CPU when posting messages under load.
    /// Nothing here rereads its options anyway; a changed setting takes a restart.
    /// </summary>
    public static string[] WithoutConfigReload(string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];

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

    /// <summary>The chat page at <c>/</c> and the admin page at <c>/admin</c>, from the top-level <c>wwwroot/</c>.</summary>
    public static WebApplication UseChatUi(this WebApplication app)
    {
        // The build copies the repository's wwwroot/ beside the assembly; serving from there explicitly keeps
        // the pages found whatever content root a host (or a test factory) chooses.
        var pages = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapGet("/admin", () => Results.File(pages.GetFileInfo("admin.html").CreateReadStream(), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }
}
