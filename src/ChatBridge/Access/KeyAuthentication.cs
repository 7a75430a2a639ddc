using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using ChatBridge.Configuration;
using ChatBridge.Http;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ChatBridge.Access;

/// <summary>What the key check found, kept for the answer to a refused request (<see cref="KeyRefusals"/>).</summary>
internal enum KeyCheck
{
    /// <summary>No <c>Authorization: Bearer</c> header.</summary>
    Missing,
    /// <summary>A key that is neither of the two, or the API key where only the admin key opens.</summary>
    Wrong,
    /// <summary>The client guessed too many wrong keys; its key is not even looked at.</summary>
    LockedOut,
    Api,
    Admin,
}

/// <summary>
/// The API key and the admin key as an ASP.NET Core authentication scheme. The keys are read from
/// <see cref="SettingsStore"/> on every request, so a rotated key applies at once; they are compared as SHA-256
/// digests in constant time, so neither a key's content nor its length leaks through timing.
/// </summary>
internal sealed class KeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SettingsStore settings,
    IKeyLockout lockout,
    IOptions<ChatBridgeOptions> bridgeOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var check = await CheckAsync();
        Context.Items[typeof(KeyCheck)] = check;
        return check switch
        {
            KeyCheck.Missing => AuthenticateResult.NoResult(),
            KeyCheck.Api or KeyCheck.Admin => AuthenticateResult.Success(Ticket(check)),
            _ => AuthenticateResult.Fail("Refused key"),
        };
    }

    private async Task<KeyCheck> CheckAsync()
    {
        if (bridgeOptions.Value.RateLimiting.Enabled
            && await lockout.RetryAfterAsync(ClientAddress.Of(Context), Context.RequestAborted) is { } retryAfter)
        {
            Context.Items[typeof(IKeyLockout)] = retryAfter;
            return KeyCheck.LockedOut;
        }
        string? header = Request.Headers.Authorization;
        // "Bearer" with nothing after it is an empty key (Broca sends "Bearer " when its key is unset).
        if (header is null
            || !header.StartsWith(SchemeName, StringComparison.OrdinalIgnoreCase)
            || (header.Length > SchemeName.Length && header[SchemeName.Length] != ' '))
        {
            return KeyCheck.Missing;
        }
        var presented = header[SchemeName.Length..].Trim();
        var keys = await settings.GetAsync(Context.RequestAborted);
        return Matches(presented, keys.AdminKey) ? KeyCheck.Admin
            : Matches(presented, keys.ApiKey) ? KeyCheck.Api
            : KeyCheck.Wrong;
    }

    private static bool Matches(string presented, string expected) =>
        expected.Length > 0
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static AuthenticationTicket Ticket(KeyCheck check)
    {
        Claim[] roles = check == KeyCheck.Admin
            ? [new(ClaimTypes.Role, Policies.Admin), new(ClaimTypes.Role, Policies.Broca)]
            : [new(ClaimTypes.Role, Policies.Broca)];
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(roles, SchemeName)), SchemeName);
    }
}
