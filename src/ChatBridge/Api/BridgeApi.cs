using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ChatBridge.Api;

/// <summary>The API's services and its endpoints: <c>/api/v1/NAME</c> per action, grouped by feature.</summary>
internal static class BridgeApi
{
    public static IServiceCollection AddBridgeApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => Envelope.Configure(options.SerializerOptions));
        services.AddSingleton<ActionCatalog>();
        services.AddPublicCors();
        return services;
    }

    /// <summary>
    /// The API key and the admin key as an authentication scheme, and the <see cref="Policies"/> that require them. The
    /// scheme is not the default one: public actions never look at a key.
    /// </summary>
    public static IServiceCollection AddBridgeAuth(this IServiceCollection services)
    {
        // A lone scheme would otherwise become the default and authenticate every request, public ones included.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(KeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Broca, policy => policy.AddAuthenticationSchemes(KeyAuthenticationHandler.SchemeName).RequireRole(Policies.Broca))
            .AddPolicy(Policies.Admin, policy => policy.AddAuthenticationSchemes(KeyAuthenticationHandler.SchemeName).RequireRole(Policies.Admin));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, KeyRefusals>();
        return services;
    }

    public static WebApplication MapBridgeApi(this WebApplication app)
    {
        var api = app.MapGroup(ActionRoute.Prefix)
            .Produces<ErrorEnvelope>(StatusCodes.Status405MethodNotAllowed);
        api.MapChatApi();
        api.MapBrocaApi();
        api.MapAdminApi();
        api.MapApiFallbacks(app);
        return app;
    }

    /// <summary>Requires a key by <paramref name="policy"/>, and documents the 401 a missing or wrong one gets.</summary>
    public static RouteGroupBuilder RequireKey(this RouteGroupBuilder group, string policy)
    {
        group.RequireAuthorization(policy).Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized);
        return group;
    }

    /// <summary>Examples for OpenAPI: a request body, and the <c>data</c> of the success envelope.</summary>
    public static RouteHandlerBuilder WithExamples(this RouteHandlerBuilder endpoint, object? request = null, object? data = null) =>
        endpoint.WithMetadata(new ApiExamples(request, data));

    private static TBuilder Produces<TBuilder, T>(this TBuilder builder, int status) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(T), ["application/json"]));

    private static RouteGroupBuilder Produces<T>(this RouteGroupBuilder group, int status) => group.Produces<RouteGroupBuilder, T>(status);
}

/// <summary>What OpenAPI shows as an endpoint's examples; ASP.NET Core's metadata has no place for them.</summary>
internal sealed record ApiExamples(object? Request, object? Data);

/// <summary>Request body limits: small for anonymous callers, larger for Broca's replies and admin calls.</summary>
internal static class BodyLimits
{
    public const int Public = 64 * 1024;
    public const int Authenticated = 1024 * 1024;
}
