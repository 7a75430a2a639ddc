namespace ChatBridge.Http;

/// <summary>The OpenAPI group of the public actions the chat UI calls, whichever feature answers them.</summary>
internal static class ChatTag
{
    public const string Name = "Chat (public)";
}
