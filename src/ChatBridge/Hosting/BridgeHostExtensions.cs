namespace ChatBridge.Hosting;

internal static class BridgeHostExtensions
{
    public const string DefaultUrl = "http://localhost:8001";

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
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/admin", (IWebHostEnvironment env) => Results.File(Path.Combine(env.WebRootPath, "admin.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>Where the build copies the repository's <c>wwwroot/</c>.</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");
}
