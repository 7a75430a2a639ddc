using System.Security.Cryptography;
using System.Text;

namespace ChatBridge.Accounts;

/// <summary>The tokens of a signed-in browser: random, 64 letters and digits as the control app makes them, kept only as digests.</summary>
internal static class SessionTokens
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>62⁶⁴ possibilities, some 381 bits.</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, 64);

    /// <summary>The SHA-256 of a token as lowercase hex; a token is random, so no salt or stretching is needed.</summary>
    public static string Digest(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool IsWellFormed(string? token) => token is { Length: 64 } && token.All(char.IsAsciiLetterOrDigit);
}
