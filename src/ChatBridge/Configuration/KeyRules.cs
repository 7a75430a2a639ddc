namespace ChatBridge.Configuration;

/// <summary>What a key must look like: long enough to resist guessing, and safe in an HTTP header.</summary>
internal static class KeyRules
{
    public const int MinLength = 16;
    public const int MaxLength = 256;
    public const string Requirement = "must be 16 to 256 printable ASCII characters without spaces";

    public static bool IsValid(string key) =>
        key.Length is >= MinLength and <= MaxLength && key.All(c => c is > ' ' and < '\u007f');
}
