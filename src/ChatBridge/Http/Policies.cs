namespace ChatBridge.Http;

/// <summary>The authorization policies of the keyed actions.</summary>
internal static class Policies
{
    /// <summary>Broca's actions: the API key, or the admin key.</summary>
    public const string Broca = "broca";

    /// <summary>Admin actions: the admin key only.</summary>
    public const string Admin = "admin";
}
