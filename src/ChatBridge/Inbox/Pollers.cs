using System.Globalization;
using System.Security.Claims;
using ChatBridge.Http;

namespace ChatBridge.Inbox;

/// <summary>
/// Which Broca a claim or a reply came from, as far as the bridge can tell: by its key. An agent's own key is that
/// agent's Broca; the service-wide API key and the admin key are one Broca each. Stored with each claim and each answer,
/// so that a lapse can tell a Broca that went on working from one that died (see <c>ChatSql.HeldTogetherAnswered</c>).
/// </summary>
internal static class Pollers
{
    public static string Of(ClaimsPrincipal user) =>
        Caller.KeyAgent(user) is { } agentId
            ? "agent:" + agentId.ToString(CultureInfo.InvariantCulture)
            : user.HasClaim(Caller.KeyClaim, Policies.Admin) ? "admin" : "broca";
}
