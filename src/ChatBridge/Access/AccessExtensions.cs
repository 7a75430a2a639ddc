using ChatBridge.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ChatBridge.Access;

internal static class AccessExtensions
{
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
}
