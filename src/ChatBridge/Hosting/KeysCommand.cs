using ChatBridge.Settings;

namespace ChatBridge.Hosting;

/// <summary>
/// The host's command-line verbs, run against the configured database instead of serving:
/// <c>keys show</c>, and <c>keys rotate [api|admin]</c> (both when neither is named).
/// </summary>
internal sealed record KeysCommand(string Verb, string? Which) : IHostCommand
{
    public const string Usage = "usage: ChatBridge keys show | keys rotate [api|admin]";

    /// <summary>Splits the verb off the arguments; the rest go to the host's configuration as usual.</summary>
    public static (KeysCommand? Command, string[] HostArgs) Parse(string[] args)
    {
        if (args is not ["keys", ..])
        {
            return (null, args);
        }
        var which = args.Length > 2 && !args[2].StartsWith('-') ? args[2] : null;
        var verb = args.Length > 1 ? args[1] : "";
        return (new KeysCommand(verb, which), args[(which is null ? Math.Min(2, args.Length) : 3)..]);
    }

    public async Task<int> RunAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<SettingsStore>();
        var ct = CancellationToken.None;
        var rotate = (Verb, Which) switch
        {
            ("show", null) => [],
            ("rotate", null) => SettingKeys.Keys.ToArray(),
            ("rotate", "api") => [SettingKeys.ApiKey],
            ("rotate", "admin") => [SettingKeys.AdminKey],
            _ => (string[]?)null,
        };
        if (rotate is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        if (rotate.Length > 0)
        {
            await store.SaveAsync(rotate.ToDictionary(k => k, _ => KeyBootstrapper.NewKey()), ct);
        }
        var current = await store.GetAsync(ct);
        await Console.Out.WriteLineAsync(KeyListing.Describe(
            rotate.Length > 0 ? "Rotated. The old keys stop working within a second." : "Current keys:",
            new Dictionary<string, string> { [SettingKeys.ApiKey] = current.ApiKey, [SettingKeys.AdminKey] = current.AdminKey }));
        return 0;
    }
}
