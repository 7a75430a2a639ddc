using System.Security.Cryptography;
using System.Text;
using ChatBridge.Settings;

namespace ChatBridge.Api;

internal static class BearerAuth
{
    private const string Scheme = "Bearer";

    /// <summary>Whether the caller may proceed; if not, the 401 answer and whether a key was presented and wrong.</summary>
    public static AuthDecision Check(HttpContext http, Access access, BridgeSettings settings)
    {
        if (access == Access.Public)
        {
            return AuthDecision.Allowed;
        }
        string? header = http.Request.Headers.Authorization;
        // "Bearer" with nothing after it is an empty key (Broca sends "Bearer " when its key is unset).
        if (header is null
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || (header.Length > Scheme.Length && header[Scheme.Length] != ' '))
        {
            return new AuthDecision(Unauthorized(Errors.AuthenticationRequired), WrongKey: false);
        }
        var presented = header[Scheme.Length..].Trim();
        var isAdmin = Matches(presented, settings.AdminKey);
        return access switch
        {
            Access.Admin when !isAdmin => new AuthDecision(Unauthorized(Errors.InvalidAdminKey), WrongKey: true),
            Access.ApiKey when !isAdmin && !Matches(presented, settings.ApiKey) => new AuthDecision(Unauthorized(Errors.InvalidApiKey), WrongKey: true),
            _ => AuthDecision.Allowed,
        };
    }

    /// <summary>Compares digests in constant time, so neither the key's content nor its length leaks through timing.</summary>
    private static bool Matches(string presented, string expected) =>
        expected.Length > 0
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static IResult Unauthorized(string error) => new ChallengeResult(Envelope.Fail(StatusCodes.Status401Unauthorized, error));

    private sealed class ChallengeResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <param name="Denied">The 401 answer, or null when the caller may proceed.</param>
/// <param name="WrongKey">A key was presented and did not match: a guess, which counts towards the lockout.</param>
internal readonly record struct AuthDecision(IResult? Denied, bool WrongKey)
{
    public static readonly AuthDecision Allowed = new(null, false);
}
