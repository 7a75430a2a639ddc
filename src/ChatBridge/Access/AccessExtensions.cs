using ChatBridge.Accounts;
using ChatBridge.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ChatBridge.Access;

internal static class AccessExtensions
{
    /// <summary>
    /// Who a request comes from: a Sanctum account's sign-in on every request (the default scheme: public actions need to
    /// know who is asking, and it costs nothing without a token), and the keys where a policy of <see cref="Policies"/>
    /// asks for them. Broca's actions take a key only; admin actions the admin key or an account of role <c>admin</c>.
    /// </summary>
    public static IServiceCollection AddBridgeAuth(this IServiceCollection services)
    {
        // Otherwise a lone scheme would become the default for everything, challenges included.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication(options => options.DefaultAuthenticateScheme = SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(KeyAuthenticationHandler.SchemeName, configureOptions: null)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Broca, policy => policy
                .AddAuthenticationSchemes(KeyAuthenticationHandler.SchemeName)
                .RequireClaim(Caller.KeyClaim, Policies.Broca, Policies.Admin))
            .AddPolicy(Policies.Admin, policy => policy
                .AddAuthenticationSchemes(KeyAuthenticationHandler.SchemeName, SessionAuthenticationHandler.SchemeName)
                .RequireAssertion(context => Caller.IsAdminRequest(context.User)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, KeyRefusals>();
        return services;
    }
}
