using System.Collections.Frozen;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ChatBridge.Http;

/// <summary>
/// The actions' methods as the endpoints declare them, read once from routing's own endpoint list, for the 405 that
/// names them in the contract's form.
/// </summary>
internal sealed class ActionCatalog(EndpointDataSource endpoints)
{
    private readonly Lazy<FrozenDictionary<string, IReadOnlyList<string>>> _actions = new(() => Read(endpoints));

    /// <param name="methods">GET before POST, as the <c>Allow</c> header lists them.</param>
    public bool TryGetMethods(string name, out IReadOnlyList<string> methods) => _actions.Value.TryGetValue(name, out methods!);

    private static FrozenDictionary<string, IReadOnlyList<string>> Read(EndpointDataSource endpoints) =>
        endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Name: ActionName(e), Endpoint: e))
            .Where(e => e.Name is not null && e.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .GroupBy(e => e.Name!, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(
                g => g.Key,
                IReadOnlyList<string> (g) => [.. g.SelectMany(e => e.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods).Order(StringComparer.Ordinal)],
                StringComparer.OrdinalIgnoreCase);

    /// <summary><c>NAME</c> of an endpoint at <c>/api/v1/NAME</c>, a literal; null for any other route.</summary>
    private static string? ActionName(RouteEndpoint endpoint) =>
        endpoint.RoutePattern is { PathSegments: [var api, var version, { Parts: [RoutePatternLiteralPart action] }] }
        && api.Parts is [RoutePatternLiteralPart { Content: "api" }]
        && version.Parts is [RoutePatternLiteralPart { Content: "v1" }]
            ? action.Content
            : null;
}
