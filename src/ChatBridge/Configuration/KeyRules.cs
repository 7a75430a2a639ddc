namespace ChatBridge.Configuration;

/// <summary>
/// What a key must look like: long enough to resist guessing, safe in an HTTP header, and not a value anyone can read.
/// A key that breaks these rules protects nothing, so it is never accepted, wherever it was written.
/// </summary>
internal static class KeyRules
{
    public const int MinLength = 16;
    public const int MaxLength = 256;
    public const string Requirement = "must be 16 to 256 printable ASCII characters without spaces";
    public const string PublishedRequirement = "is a value Sanctum publishes, which protects nothing";

    /// <summary>
    /// Keys Sanctum ships: the control app seeds <c>system_config</c> with these, and they are public in its repository and
    /// its shipped database. A value found published later belongs here too.
    /// </summary>
    public static readonly IReadOnlySet<string> Published = new HashSet<string>(StringComparer.Ordinal) { "ObeyG1ant", "FreeUkra1ne" };

    public static bool IsValid(string key) => Problem(key) is null;

    /// <summary>Why <paramref name="key"/> cannot be a key, or null when it can.</summary>
    public static string? Problem(string key) =>
        Published.Contains(key.Trim()) ? PublishedRequirement
        : key.Length is >= MinLength and <= MaxLength && key.All(c => c is > ' ' and < '\u007f') ? null
        : Requirement;
}
