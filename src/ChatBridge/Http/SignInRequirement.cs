using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Http;

/// <summary>
/// <c>ChatBridge:Chat:RequireSignIn</c>: on a private host the public actions (and the session's WebSocket) answer 401
/// <c>Authentication required</c> to anyone not signed in with a Sanctum account.
/// </summary>
internal static class SignInRequirement
{
    public static TBuilder RequireSignInWhenPrivate<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Refuses(context.HttpContext) ? Envelope.Fail(StatusCodes.Status401Unauthorized, Errors.AuthenticationRequired) : await next(context));

    public static bool Refuses(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.Chat.RequireSignIn && !Caller.Of(http.User).IsSignedIn;
}
