using System.Globalization;
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
    /// <summary>A key that opens nothing (or nothing here: the API key where only the admin key opens).</summary>
    Wrong,
    /// <summary>The client guessed too many wrong keys; its key is not even looked at.</summary>
    LockedOut,
    /// <summary>The service-wide API key: Broca's actions, for every agent.</summary>
    Api,
    /// <summary>An agent's own Broca key: Broca's actions, for that agent's sessions only.</summary>
    Agent,
    Admin,
}

/// <summary>
/// The API key, the admin key and the agents' own Broca keys as an ASP.NET Core authentication scheme. The service-wide
/// keys are read from <see cref="SettingsStore"/> on every request, so a rotated key applies at once; they are compared
/// as SHA-256 digests in constant time, so neither a key's content nor its length leaks through timing. An agent key is
/// looked up by its digest each time, so one of an agent that is gone, inactive or re-keyed opens nothing from then on.
/// </summary>
internal sealed class KeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SettingsStore settings,
    IKeyLockout lockout,
    IAgentKeyStore agentKeys,
    IOptions<ChatBridgeOptions> bridgeOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (check, agentId) = await CheckAsync();
        Context.Items[typeof(KeyCheck)] = check;
        return check switch
        {
            KeyCheck.Missing => AuthenticateResult.NoResult(),
            KeyCheck.Api or KeyCheck.Agent or KeyCheck.Admin => AuthenticateResult.Success(Ticket(check, agentId)),
            _ => AuthenticateResult.Fail("Refused key"),
        };
    }

    private async Task<(KeyCheck Check, long? AgentId)> CheckAsync()
    {
        if (bridgeOptions.Value.RateLimiting.Enabled
            && await lockout.RetryAfterAsync(ClientAddress.Of(Context), Context.RequestAborted) is { } retryAfter)
        {
            Context.Items[typeof(IKeyLockout)] = retryAfter;
            return (KeyCheck.LockedOut, null);
        }
        string? header = Request.Headers.Authorization;
        // "Bearer" with nothing after it is an empty key (Broca sends "Bearer " when its key is unset).
        if (header is null
            || !header.StartsWith(SchemeName, StringComparison.OrdinalIgnoreCase)
            || (header.Length > SchemeName.Length && header[SchemeName.Length] != ' '))
        {
            return (KeyCheck.Missing, null);
        }
        var presented = header[SchemeName.Length..].Trim();
        var keys = await settings.GetAsync(Context.RequestAborted);
        if (Matches(presented, keys.AdminKey))
        {
            return (KeyCheck.Admin, null);
        }
        if (Matches(presented, keys.ApiKey))
        {
            return (KeyCheck.Api, null);
        }
        // Agent keys are random and at least 16 characters: anything shorter is not worth a lookup.
        return KeyRules.IsValid(presented) && await agentKeys.FindAgentAsync(AgentKeys.Digest(presented), Context.RequestAborted) is { } agentId
            ? (KeyCheck.Agent, agentId)
            : (KeyCheck.Wrong, null);
    }

    /// <summary>An empty key (one <see cref="BridgeSettings"/> refused) never matches.</summary>
    private static bool Matches(string presented, string expected) =>
        expected.Length > 0
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static AuthenticationTicket Ticket(KeyCheck check, long? agentId)
    {
        List<Claim> claims = [new(Caller.KeyClaim, check == KeyCheck.Admin ? Policies.Admin : Policies.Broca)];
        if (agentId is { } agent)
        {
            claims.Add(new Claim(Caller.AgentClaim, agent.ToString(CultureInfo.InvariantCulture)));
        }
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName);
    }
}
