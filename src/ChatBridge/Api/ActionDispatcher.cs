using System.Collections.Frozen;
using ChatBridge.Hosting;
using ChatBridge.Settings;
using ChatBridge.Widget;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace ChatBridge.Api;

/// <summary>
/// Maps an action name to its handler and enforces what the handler declares, in the contract's order:
/// method, then authentication, then the rate limit. A client locked out for guessing keys is refused
/// keyed actions before its key is even looked at.
/// </summary>
internal sealed class ActionDispatcher(
    IEnumerable<IActionHandler> handlers,
    SettingsStore settings,
    BridgeRateLimiter limiter,
    ICorsService cors,
    AllowedOrigins origins,
    IOptions<ChatBridgeOptions> options)
{
    /// <summary>Key of <see cref="HttpContext.Items"/> under which the resolved handler is kept for request logging.</summary>
    public const string ActionItem = "ChatBridge.Action";

    /// <summary>The status request logs show for a request its client abandoned (nginx's convention).</summary>
    private const int ClientClosedRequest = 499;

    private readonly CorsPolicy _publicCors = origins.ApplyTo(new CorsPolicyBuilder())
        .WithMethods(HttpMethods.Get, HttpMethods.Post)
        .WithHeaders("Content-Type")
        .Build();

    private readonly FrozenDictionary<string, IActionHandler> _handlers =
        handlers.ToFrozenDictionary(h => h.Action, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<IActionHandler> Handlers => _handlers.Values;

    /// <param name="routeAction">The action from <c>/api/v1/NAME</c>, or null to read <c>?action=</c>.</param>
    public async Task<IResult> DispatchAsync(HttpContext http, string? routeAction)
    {
        var name = routeAction ?? QueryParams.Single(http, "action");
        var isPreflight = HttpMethods.IsOptions(http.Request.Method);
        if (string.IsNullOrEmpty(name) || !_handlers.TryGetValue(name, out var handler))
        {
            return (isPreflight, name, routeAction) switch
            {
                (true, _, _) => Envelope.Ok(new { }),
                (_, _, not null) => Envelope.Fail(StatusCodes.Status404NotFound, Errors.EndpointNotFound),
                (_, null or "", _) => Envelope.BadRequest(Errors.MissingAction),
                _ => Envelope.BadRequest(Errors.InvalidAction),
            };
        }
        http.Items[ActionItem] = handler;
        if (handler.Access == Access.Public)
        {
            cors.ApplyResult(cors.EvaluatePolicy(http, _publicCors), http.Response);
        }
        if (isPreflight)
        {
            return Envelope.Ok(new { });
        }
        if (!Allows(handler.Methods, http.Request.Method))
        {
            http.Response.Headers.Allow = AllowHeader(handler.Methods);
            return Envelope.Fail(StatusCodes.Status405MethodNotAllowed, Errors.MethodNotAllowed);
        }

        var ct = http.RequestAborted;
        var current = await settings.GetAsync(ct);
        var client = ClientAddress.Of(http);
        var limited = options.Value.RateLimiting.Enabled;
        if (limited && handler.Access != Access.Public && limiter.IsLockedOut(client, out var lockout))
        {
            return Envelope.RateLimited(lockout);
        }
        var auth = BearerAuth.Check(http, handler.Access, current);
        if (auth.Denied is { } denied)
        {
            if (limited && auth.WrongKey)
            {
                limiter.RecordWrongKey(client);
            }
            return denied;
        }
        if (limited
            && handler.RateLimitSetting is { } setting
            && current.RateLimit(setting) is > 0 and var limit
            && !limiter.TryAcquire(handler.Action, client, limit, out var retryAfter))
        {
            return Envelope.RateLimited(retryAfter);
        }
        try
        {
            return await handler.HandleAsync(http, current, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client hung up (a closed tab, an abandoned long poll): nobody to answer, and no fault of ours.
            return Results.StatusCode(ClientClosedRequest);
        }
    }

    public static IEnumerable<string> HttpMethodsOf(ActionMethods methods)
    {
        if (methods.HasFlag(ActionMethods.Get))
        {
            yield return HttpMethods.Get;
        }
        if (methods.HasFlag(ActionMethods.Post))
        {
            yield return HttpMethods.Post;
        }
    }

    private static bool Allows(ActionMethods methods, string method) =>
        (HttpMethods.IsGet(method) && methods.HasFlag(ActionMethods.Get))
        || (HttpMethods.IsPost(method) && methods.HasFlag(ActionMethods.Post));

    private static string AllowHeader(ActionMethods methods) => string.Join(", ", HttpMethodsOf(methods).Append(HttpMethods.Options));
}

internal static class ClientAddress
{
    public static string Of(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
