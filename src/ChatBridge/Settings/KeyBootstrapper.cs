using System.Buffers.Text;
using System.Security.Cryptography;
using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Settings;

/// <summary>
/// Gives a database usable keys at start. A key that is missing gets the configured seed when one is set, otherwise a
/// random key. A key that protects nothing (a value Sanctum publishes, such as the control app's seeds, or one shorter
/// than 16 characters) is replaced the same way, with a warning: Broca's <c>WEB_CHAT_API_KEY</c> must then change. New
/// random keys are printed once to the console, never to the log.
/// </summary>
internal sealed partial class KeyBootstrapper(IConfigStore config, IOptions<ChatBridgeOptions> options, ILogger<KeyBootstrapper> logger)
{
    public async Task EnsureKeysAsync(CancellationToken ct)
    {
        var stored = await config.ReadAsync(SettingKeys.Keys, ct);
        var seeds = new Dictionary<string, string>(StringComparer.Ordinal);
        var generated = false;
        List<string> replaced = [];
        foreach (var (key, configured) in new[] { (SettingKeys.ApiKey, options.Value.ApiKey), (SettingKeys.AdminKey, options.Value.AdminKey) })
        {
            var current = stored.GetValueOrDefault(key);
            if (!string.IsNullOrEmpty(current))
            {
                if (KeyRules.Problem(current) is not { } problem)
                {
                    continue;
                }
                LogReplacedKey(key, problem);
                replaced.Add(key);
            }
            generated |= configured is null;
            seeds[key] = configured ?? NewKey();
        }
        if (seeds.Count == 0)
        {
            return;
        }
        await config.WriteAsync(seeds, ct);
        if (replaced.Count < seeds.Count)
        {
            LogStoredKeys(string.Join(", ", seeds.Keys.Except(replaced)));
        }
        if (generated)
        {
            var heading = replaced.Count == 0
                ? "ChatBridge generated keys for this database. They are shown once; `keys show` shows them again."
                : $"ChatBridge replaced {string.Join(" and ", replaced)}: the stored value protected nothing (a value Sanctum publishes, "
                  + "or shorter than 16 characters). The new keys are shown once; `keys show` shows them again.";
            var listing = KeyListing.Describe(heading, seeds);
            if (replaced.Contains(SettingKeys.ApiKey))
            {
                listing += "Broca must use the new api_key: set WEB_CHAT_API_KEY in each agent's Broca .env (~/sanctum/agent-<letta uid>/.env) "
                    + "and restart it, or give each agent its own key with `keys rotate agent N`.\n";
            }
            await Console.Out.WriteLineAsync(listing);
        }
    }

    /// <summary>256 random bits, URL-safe so it can be pasted into a header or a shell unquoted.</summary>
    public static string NewKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stored {Key} {Problem}: replaced by a new key at start")]
    private partial void LogReplacedKey(string key, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored keys for a database that had none: {Keys}")]
    private partial void LogStoredKeys(string keys);
}
