using ChatBridge.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace ChatBridge.Widget;

/// <summary>
/// The sites allowed to embed the chat widget (<c>ChatBridge:Widget:AllowedOrigins</c>); an empty list allows any.
/// One answer for every place that asks: CORS on the public actions, framing of the panel page, and the server's own
/// refusal of foreign <c>Origin</c> headers (<see cref="OriginCheck"/>).
/// </summary>
internal sealed class AllowedOrigins(IOptions<ChatBridgeOptions> options)
{
    private readonly HashSet<string> _origins =
        options.Value.Widget.AllowedOrigins.Select(Normalize).ToHashSet(StringComparer.Ordinal);

    /// <summary>True when no list is configured: every site may embed the widget.</summary>
    public bool AllowsAny => _origins.Count == 0;

    /// <summary>The configured origins in their canonical form (<c>scheme://host[:port]</c>).</summary>
    public IReadOnlyCollection<string> Origins => _origins;

    public bool IsAllowed(string origin) => AllowsAny || (OriginText.TryParse(origin, out var canonical) && _origins.Contains(canonical));

    /// <summary>A browser names the bridge's own pages with the bridge's own host; those are never foreign.</summary>
    public static bool IsOwnOrigin(HttpContext http, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);

    /// <summary>Any origin while the list is empty (the answer stays <c>*</c>), otherwise the listed ones.</summary>
    public CorsPolicyBuilder ApplyTo(CorsPolicyBuilder policy) =>
        AllowsAny ? policy.AllowAnyOrigin() : policy.SetIsOriginAllowed(IsAllowed);

    private static string Normalize(string origin) => OriginText.TryParse(origin, out var canonical) ? canonical : origin;
}
