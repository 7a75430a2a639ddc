using ChatBridge.Configuration;
using ChatBridge.Http;
using ChatBridge.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace ChatBridge.Access;

/// <summary>
/// Answers a request that authorization refused with the contract's envelope instead of an empty 401/403:
/// <c>Authentication required</c> with neither a Bearer header nor a sign-in, <c>Invalid API key</c> or
/// <c>Invalid admin key</c> for a wrong key (the API key on an admin action included, which also counts as a guess),
/// 403 <c>Admin access required</c> for a signed-in account that is not an admin's, and a 429 for a client locked out
/// for guessing.
/// </summary>
internal sealed class KeyRefusals(IKeyLockout lockout, BridgeMetrics metrics, IOptions<ChatBridgeOptions> options) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : RefuseAsync(context);

    private async Task RefuseAsync(HttpContext context)
    {
        var client = ClientAddress.Of(context);
        var check = context.Items.TryGetValue(typeof(KeyCheck), out var found) && found is KeyCheck seen ? seen : KeyCheck.Missing;
        if (check == KeyCheck.LockedOut)
        {
            metrics.RateLimitRefused("wrong_key_lockout");
            // Authentication found the lockout and how long it lasts.
            await Envelope.RateLimited((int)context.Items[typeof(IKeyLockout)]!).ExecuteAsync(context);
            return;
        }
        if (check == KeyCheck.Missing && Caller.Of(context.User).IsSignedIn)
        {
            await Envelope.Fail(StatusCodes.Status403Forbidden, Errors.AdminRequired).ExecuteAsync(context);
            return;
        }
        string error;
        if (check == KeyCheck.Missing)
        {
            error = Errors.AuthenticationRequired;
        }
        else
        {
            if (options.Value.RateLimiting.Enabled)
            {
                await lockout.RecordWrongKeyAsync(client, context.RequestAborted);
            }
            error = RequiresAdmin(context) ? Errors.InvalidAdminKey : Errors.InvalidApiKey;
        }
        context.Response.Headers.WWWAuthenticate = KeyAuthenticationHandler.SchemeName;
        await Envelope.Fail(StatusCodes.Status401Unauthorized, error).ExecuteAsync(context);
    }

    private static bool RequiresAdmin(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Admin) == true;
}
