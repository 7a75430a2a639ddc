namespace ChatBridge.Http;

/// <summary>The CORS policy of the public actions; keyed actions have none, so browsers on other sites cannot call them.</summary>
internal static class Cors
{
    public const string Public = "public";
}
