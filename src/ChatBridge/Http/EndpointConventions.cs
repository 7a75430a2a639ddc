namespace ChatBridge.Http;

/// <summary>What every feature's endpoints declare the same way: keys, examples, limits and the answers they imply.</summary>
internal static class EndpointConventions
{
    /// <summary>Requires a key by <paramref name="policy"/>, and documents the 401 a missing or wrong one gets.</summary>
    public static RouteGroupBuilder RequireKey(this RouteGroupBuilder group, string policy)
    {
        group.RequireAuthorization(policy).Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized);
        return group;
    }

    /// <summary>Documents the 429 with its <c>retry_after</c> too.</summary>
    public static RouteHandlerBuilder RateLimited(this RouteHandlerBuilder endpoint, string policy) =>
        endpoint.RequireRateLimiting(policy).Produces<ErrorEnvelope>(StatusCodes.Status429TooManyRequests);

    /// <summary>Examples for OpenAPI: a request body, and the <c>data</c> of the success envelope.</summary>
    public static RouteHandlerBuilder WithExamples(this RouteHandlerBuilder endpoint, object? request = null, object? data = null) =>
        endpoint.WithMetadata(new ApiExamples(request, data));

    public static RouteGroupBuilder Produces<T>(this RouteGroupBuilder group, int status) =>
        group.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(T), ["application/json"]));
}

/// <summary>What OpenAPI shows as an endpoint's examples; ASP.NET Core's metadata has no place for them.</summary>
internal sealed record ApiExamples(object? Request, object? Data);

/// <summary>Request body limits: small for anonymous callers, larger for Broca's replies and admin calls.</summary>
internal static class BodyLimits
{
    public const int Public = 64 * 1024;
    public const int Authenticated = 1024 * 1024;
}
