using System.Globalization;
using ChatBridge.Access;
using ChatBridge.Settings;

namespace ChatBridge.Hosting;

/// <summary>
/// The host's command-line verbs, run against the configured database instead of serving: <c>keys show</c>,
/// <c>keys rotate [api|admin]</c> (both when neither is named), and <c>keys rotate agent N</c> (agent N's own Broca key).
/// </summary>
internal sealed record KeysCommand(string Verb, string? Which, long? AgentId) : IHostCommand
{
    public const string Usage = "usage: ChatBridge keys show | keys rotate [api|admin] | keys rotate agent AGENT_ID";

    /// <summary>Splits the verb off the arguments; the rest go to the host's configuration as usual.</summary>
    public static (KeysCommand? Command, string[] HostArgs) Parse(string[] args)
    {
        if (args is not ["keys", ..])
        {
            return (null, args);
        }
        if (args is ["keys", "rotate", "agent", ..])
        {
            long? agentId = args.Length > 3 && long.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
            return (new KeysCommand("rotate", "agent", agentId), args[Math.Min(agentId is null ? 3 : 4, args.Length)..]);
        }
        var which = args.Length > 2 && !args[2].StartsWith('-') ? args[2] : null;
        var verb = args.Length > 1 ? args[1] : "";
        return (new KeysCommand(verb, which, null), args[(which is null ? Math.Min(2, args.Length) : 3)..]);
    }

    public async Task<int> RunAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<SettingsStore>();
        var agentKeys = services.GetRequiredService<IAgentKeyStore>();
        var ct = CancellationToken.None;
        if (Which == "agent")
        {
            return await RotateAgentKeyAsync(agentKeys, services.GetRequiredService<TimeProvider>(), ct);
        }
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
        var keyed = (await agentKeys.ListAsync(ct)).Where(a => a.KeyCreatedAt is not null).ToList();
        await Console.Out.WriteLineAsync(keyed.Count == 0
            ? "No agent has its own Broca key (`keys rotate agent N` makes one)."
            : KeyListing.DescribeAgents(keyed.Select(a => (a.AgentId, a.Name, a.IsActive, a.KeyCreatedAt!.Value))));
        return 0;
    }

    private async Task<int> RotateAgentKeyAsync(IAgentKeyStore agentKeys, TimeProvider time, CancellationToken ct)
    {
        if (AgentId is not { } agentId)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var key = KeyBootstrapper.NewKey();
        if (!await agentKeys.ReplaceAsync(agentId, AgentKeys.Digest(key), time.GetUtcNow(), ct))
        {
            await Console.Error.WriteLineAsync($"There is no agent {agentId}.");
            return 1;
        }
        await Console.Out.WriteLineAsync(KeyListing.Describe(
            $"Agent {agentId}'s Broca key (shown this once; its earlier key no longer works). Put it in that agent's Broca .env as WEB_CHAT_API_KEY:",
            new Dictionary<string, string> { [$"agent {agentId}"] = key }));
        return 0;
    }
}
