namespace ChatBridge.Http;

/// <summary>The authorization policies of the keyed actions.</summary>
internal static class Policies
{
    /// <summary>Broca's actions: the API key, an agent's own key (that agent's sessions only), or the admin key.</summary>
    public const string Broca = "broca";

    /// <summary>Admin actions: the admin key, or a Sanctum account of role <c>admin</c>.</summary>
    public const string Admin = "admin";
}
