using ChatBridge.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so every user would share one rate-limit
/// budget, one lockout and one socket allowance. For the proxies named in <c>ChatBridge:TrustedProxies</c>,
/// ASP.NET Core's forwarded-headers middleware puts the client's address from <c>X-Forwarded-For</c> in its place.
/// </summary>
internal static class ProxyAddresses
{
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.TrustedProxies;
        if (proxies.Count == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Walk back through a chain of proxies for as long as each hop is a trusted one.
            ForwardLimit = null,
        };
        // The defaults trust loopback; only what the operator named is trusted here.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            NetworkText.TryParse(proxy, out var network);
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
