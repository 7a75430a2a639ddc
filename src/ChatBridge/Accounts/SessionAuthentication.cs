using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ChatBridge.Accounts;

/// <summary>
/// A Sanctum account's sign-in as an authentication scheme: the browser's token, from the session cookie (the chat page,
/// the admin console) or from <see cref="HeaderName"/> (the widget's panel, whose frame on another site gets no
/// cookie). The token is looked up on every request, so a sign-out, an expiry or a deactivated account applies at once.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IAccountStore accounts,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "SanctumSession";
    public const string CookieName = "chatbridge_session";
    public const string HeaderName = "X-Sanctum-Session";

    /// <summary>
    /// What a cross-site form cannot send. A request that changes something on the strength of the cookie alone must
    /// carry it; without it the cookie is not looked at, so a forged form acts as an anonymous visitor, never as the user.
    /// </summary>
    public const string RequestedWithHeader = "X-Requested-With";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedToken(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }
        var account = await accounts.FindBySessionAsync(SessionTokens.Digest(token), time.GetUtcNow(), Context.RequestAborted);
        if (account is null)
        {
            return AuthenticateResult.NoResult();
        }
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, account.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, account.Username),
            new(ClaimTypes.Role, account.Role ?? ""),
        ];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    /// <summary>The token a request presents, or null; a cookie on an unsafe request without <see cref="RequestedWithHeader"/> does not count.</summary>
    public static string? PresentedToken(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            return SessionTokens.IsWellFormed(header.ToString()) ? header.ToString() : null;
        }
        if (!request.Cookies.TryGetValue(CookieName, out var cookie) || !SessionTokens.IsWellFormed(cookie))
        {
            return null;
        }
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        return safe || request.Headers.ContainsKey(RequestedWithHeader) ? cookie : null;
    }

    /// <summary>The cookie of a sign-in: HttpOnly (no script reads it), SameSite=Lax, Secure behind HTTPS, as long as the row lives.</summary>
    public static void SetCookie(HttpContext http, string token, DateTimeOffset expires) =>
        http.Response.Cookies.Append(CookieName, token, CookieOptions(http, expires));

    public static void ClearCookie(HttpContext http) => http.Response.Cookies.Delete(CookieName, CookieOptions(http, expires: null));

    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
