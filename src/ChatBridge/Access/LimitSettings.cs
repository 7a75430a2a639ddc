using ChatBridge.Http;
using ChatBridge.Settings;

namespace ChatBridge.Access;

/// <summary>Where each rate-limiting policy of <see cref="Limits"/> reads its limit, and who it does not count.</summary>
internal static class LimitSettings
{
    /// <summary>Each policy's <c>system_config</c> key, which holds its hourly limit per client address.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        [Limits.Messages] = SettingKeys.RateLimitMessages,
        [Limits.Upload] = SettingKeys.RateLimitMessages,
        [Limits.Responses] = SettingKeys.RateLimitResponses,
        [Limits.History] = SettingKeys.RateLimitResponses,
        [Limits.Agents] = SettingKeys.RateLimitResponses,
        [Limits.Feedback] = SettingKeys.RateLimitResponses,
        [Limits.Seen] = SettingKeys.RateLimitResponses,
        [Limits.Inbox] = SettingKeys.RateLimitInbox,
        [Limits.Outbox] = SettingKeys.RateLimitOutbox,
        [Limits.Sessions] = SettingKeys.RateLimitSessions,
        [Limits.SignIn] = SettingKeys.RateLimitSignIn,
    };

    /// <summary>
    /// Policies that do not count requests made with the admin key (or by a signed-in admin): the admin console lists and searches sessions as
    /// often as its operator needs, while the limit still guards the action against anyone else.
    /// </summary>
    public static readonly IReadOnlySet<string> AdminExempt = new HashSet<string>(StringComparer.Ordinal) { Limits.Sessions };
}
