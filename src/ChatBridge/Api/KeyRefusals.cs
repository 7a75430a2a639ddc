using ChatBridge.Hosting;
using ChatBridge.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace ChatBridge.Api;

/// <summary>
/// Answers a keyed request that authorization refused with the contract's envelope instead of an empty 401/403:
/// <c>Authentication required</c> without a Bearer header, <c>Invalid API key</c> or <c>Invalid admin key</c> for a
/// wrong one (the API key on an admin action included, which also counts as a guess), and a 429 for a client locked
/// out for guessing.
/// </summary>
internal sealed class KeyRefusals(KeyLockout lockout, BridgeMetrics metrics, IOptions<ChatBridgeOptions> options) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }
        var client = ClientAddress.Of(context);
        var check = context.Items.TryGetValue(typeof(KeyCheck), out var found) && found is KeyCheck seen ? seen : KeyCheck.Missing;
        if (check == KeyCheck.LockedOut)
        {
            lockout.IsLockedOut(client, out var retryAfter);
            metrics.RateLimitRefused("wrong_key_lockout");
            return Envelope.RateLimited(retryAfter).ExecuteAsync(context);
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
                lockout.RecordWrongKey(client);
            }
            error = RequiresAdmin(context) ? Errors.InvalidAdminKey : Errors.InvalidApiKey;
        }
        context.Response.Headers.WWWAuthenticate = KeyAuthenticationHandler.SchemeName;
        return Envelope.Fail(StatusCodes.Status401Unauthorized, error).ExecuteAsync(context);
    }

    private static bool RequiresAdmin(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Admin) == true;
}
