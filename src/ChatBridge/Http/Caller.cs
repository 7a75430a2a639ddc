using System.Globalization;
using System.Security.Claims;

namespace ChatBridge.Http;

/// <summary>
/// Who is asking, as a feature needs to know it: a person signed in with a Sanctum account (their id and role), or no
/// one. Keys are not people: a request made with a key carries <see cref="KeyClaim"/>, never a person's role, so an
/// account whose role happens to read "broca" opens nothing of Broca's.
/// </summary>
internal sealed record Caller(long? UserId, string? Username, string? Role)
{
    /// <summary>The claim a key gives a request: its value is <see cref="Policies.Broca"/> or <see cref="Policies.Admin"/>.</summary>
    public const string KeyClaim = "chatbridge:key";

    /// <summary>The agent whose Broca key the request was made with; absent for the service-wide keys.</summary>
    public const string AgentClaim = "chatbridge:agent";

    public static readonly Caller Anonymous = new(null, null, null);

    public bool IsSignedIn => UserId is not null;

    public bool IsAdmin => string.Equals(Role, "admin", StringComparison.Ordinal);

    public static Caller Of(ClaimsPrincipal user) =>
        user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } id && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            ? new Caller(userId, user.FindFirst(ClaimTypes.Name)?.Value, user.FindFirst(ClaimTypes.Role)?.Value)
            : Anonymous;

    /// <summary>The admin key, or a signed-in account of role <c>admin</c>.</summary>
    public static bool IsAdminRequest(ClaimsPrincipal user) => user.HasClaim(KeyClaim, Policies.Admin) || Of(user).IsAdmin;

    /// <summary>The agent a request's Broca key is limited to, or null for a key of every agent.</summary>
    public static long? KeyAgent(ClaimsPrincipal user) =>
        user.FindFirst(AgentClaim)?.Value is { } id && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var agentId) ? agentId : null;
}
