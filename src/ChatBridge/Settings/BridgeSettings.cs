namespace ChatBridge.Settings;

/// <summary>A snapshot of the bridge's rows in <c>system_config</c>, with defaults filled in.</summary>
internal sealed record BridgeSettings(string ApiKey, string AdminKey, IReadOnlyDictionary<string, int> Numbers)
{
    public int SessionTimeoutSeconds => Numbers[SettingKeys.SessionTimeout];

    public int MaxMessageLength => Numbers[SettingKeys.MaxMessageLength];

    /// <summary>The hourly limit stored under <paramref name="key"/>; 0 means unlimited.</summary>
    public int RateLimit(string key) => Numbers[key];

    public static BridgeSettings From(IReadOnlyDictionary<string, string?> rows)
    {
        var numbers = SettingKeys.Numbers.ToDictionary(
            n => n.Name,
            n => rows.TryGetValue(n.Name, out var text) && int.TryParse(text, out var value) && value >= n.Min && value <= n.Max
                ? value
                : n.Default);
        return new BridgeSettings(
            rows.GetValueOrDefault(SettingKeys.ApiKey) ?? "",
            rows.GetValueOrDefault(SettingKeys.AdminKey) ?? "",
            numbers);
    }
}
