namespace ChatBridge.Http;

/// <summary>The client's address, as <c>UseTrustedProxies</c> left it: what rate limits and lockouts are counted by.</summary>
internal static class ClientAddress
{
    public static string Of(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
