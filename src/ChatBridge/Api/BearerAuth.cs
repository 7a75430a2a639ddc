using System.Security.Cryptography;
using System.Text;
using ChatBridge.Settings;

namespace ChatBridge.Api;

internal static class BearerAuth
{
    private const string Scheme = "Bearer";

    /// <summary>Null when the caller may proceed, else the 401 answer.</summary>
    public static IResult? Check(HttpContext http, Access access, BridgeSettings settings)
    {
        if (access == Access.Public)
        {
            return null;
        }
        string? header = http.Request.Headers.Authorization;
        // "Bearer" with nothing after it is an empty key (Broca sends "Bearer " when its key is unset).
        if (header is null
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || (header.Length > Scheme.Length && header[Scheme.Length] != ' '))
        {
            return Unauthorized(Errors.AuthenticationRequired);
        }
        var presented = header[Scheme.Length..].Trim();
        var isAdmin = Matches(presented, settings.AdminKey);
        return access switch
        {
            Access.Admin when !isAdmin => Unauthorized(Errors.InvalidAdminKey),
            Access.ApiKey when !isAdmin && !Matches(presented, settings.ApiKey) => Unauthorized(Errors.InvalidApiKey),
            _ => null,
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
