namespace ChatBridge.Settings;

/// <summary>
/// The <c>system_config</c> rows the bridge owns. Every other row belongs to the control app and is
/// never read, changed or shown by the bridge.
/// </summary>
internal static class SettingKeys
{
    public const string ApiKey = "api_key";
    public const string AdminKey = "admin_key";
    public const string SessionTimeout = "session_timeout";
    public const string MaxMessageLength = "max_message_length";
    public const string RateLimitMessages = "rate_limit_messages";
    public const string RateLimitResponses = "rate_limit_responses";
    public const string RateLimitInbox = "rate_limit_inbox";
    public const string RateLimitOutbox = "rate_limit_outbox";
    public const string RateLimitSessions = "rate_limit_sessions";

    /// <summary>Sign-in attempts per client address and hour: each costs a quarter of a second of bcrypt.</summary>
    public const string RateLimitSignIn = "rate_limit_sign_in";

    /// <summary>Numeric settings with their defaults and accepted ranges; 0 switches a rate limit off.</summary>
    public static readonly IReadOnlyList<NumberSetting> Numbers =
    [
        new(SessionTimeout, 1800, 60, 365 * 24 * 3600),
        new(MaxMessageLength, 10000, 1, 15000),
        new(RateLimitMessages, 50, 0, 1_000_000),
        new(RateLimitResponses, 200, 0, 1_000_000),
        new(RateLimitInbox, 120, 0, 1_000_000),
        new(RateLimitOutbox, 200, 0, 1_000_000),
        new(RateLimitSessions, 20, 0, 1_000_000),
        new(RateLimitSignIn, 30, 0, 1_000_000),
    ];

    public static readonly IReadOnlyList<string> Keys = [ApiKey, AdminKey];

    public static IEnumerable<string> All => Keys.Concat(Numbers.Select(n => n.Name));
}

internal sealed record NumberSetting(string Name, int Default, int Min, int Max);
