namespace ChatBridge.Http;

/// <summary>The OpenAPI group of every action that takes the admin key, whichever feature answers it.</summary>
internal static class AdminTag
{
    public const string Name = "Admin (admin key)";
}
