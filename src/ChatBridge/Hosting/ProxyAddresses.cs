using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so every user would share one rate-limit
/// budget, one lockout and one socket allowance. For the proxies named in <c>ChatBridge:TrustedProxies</c>,
/// ASP.NET Core's forwarded-headers middleware puts the client's address from <c>X-Forwarded-For</c> in its place.
/// </summary>
internal static class ProxyAddresses
{
    /// <summary>An address is a network of one, so both forms land in one list.</summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return IPNetwork.TryParse(text, out network);
    }

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
            TryParse(proxy, out var network);
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
