using ChatBridge.Configuration;

namespace ChatBridge.Settings;

/// <summary>
/// A snapshot of the bridge's rows in <c>system_config</c>, with defaults filled in. Another program may write any text
/// there (the control app's settings API checks nothing): a key that breaks <see cref="KeyRules"/> is no key (it opens
/// nothing), and a number that does not read is its default; each such row is named in <see cref="Problems"/>.
/// </summary>
internal sealed record BridgeSettings(string ApiKey, string AdminKey, IReadOnlyDictionary<string, int> Numbers, IReadOnlyList<SettingProblem> Problems)
{
    public int SessionTimeoutSeconds => Numbers[SettingKeys.SessionTimeout];

    public int MaxMessageLength => Numbers[SettingKeys.MaxMessageLength];

    /// <summary>The hourly limit stored under <paramref name="key"/>; 0 means unlimited.</summary>
    public int RateLimit(string key) => Numbers[key];

    public static BridgeSettings From(IReadOnlyDictionary<string, string?> rows)
    {
        List<SettingProblem> problems = [];
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var setting in SettingKeys.Numbers)
        {
            var text = rows.GetValueOrDefault(setting.Name);
            if (text is null)
            {
                numbers[setting.Name] = setting.Default;
            }
            else if (int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
                     && value >= setting.Min && value <= setting.Max)
            {
                numbers[setting.Name] = value;
            }
            else
            {
                numbers[setting.Name] = setting.Default;
                problems.Add(new SettingProblem(setting.Name, text, $"not an integer from {setting.Min} to {setting.Max}; {setting.Default} is used"));
            }
        }
        return new BridgeSettings(Key(rows, SettingKeys.ApiKey, problems), Key(rows, SettingKeys.AdminKey, problems), numbers, problems);
    }

    private static string Key(IReadOnlyDictionary<string, string?> rows, string name, List<SettingProblem> problems)
    {
        var key = rows.GetValueOrDefault(name) ?? "";
        if (key.Length == 0)
        {
            return "";
        }
        if (KeyRules.Problem(key) is { } problem)
        {
            problems.Add(new SettingProblem(name, Value: null, $"{problem}: it is refused until it is replaced (`keys rotate`)"));
            return "";
        }
        return key;
    }
}

/// <param name="Value">What the row holds, for the log; null for a key, which is never logged.</param>
internal sealed record SettingProblem(string Name, string? Value, string Reason);
