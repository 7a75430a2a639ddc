namespace ChatBridge.Configuration;

/// <summary>Reads a web origin as configuration and browsers write it.</summary>
internal static class OriginText
{
    /// <summary>An origin is a scheme (http or https), a host and an optional port: no path, query, user or fragment.
    /// A trailing slash is tolerated in configuration; browsers never send one.</summary>
    public static bool TryParse(string? text, out string canonical)
    {
        canonical = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/"
            || !string.IsNullOrEmpty(uri.Query)
            || !string.IsNullOrEmpty(uri.Fragment)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return false;
        }
        canonical = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }
}
