using System.Buffers.Text;
using System.Security.Cryptography;
using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Settings;

/// <summary>
/// Gives a database without keys its keys: the configured seeds when set, otherwise random ones, which are
/// printed once to the console (never to the log). A database that has keys keeps them.
/// </summary>
internal sealed class KeyBootstrapper(IConfigStore config, IOptions<ChatBridgeOptions> options, ILogger<KeyBootstrapper> logger)
{
    public async Task EnsureKeysAsync(CancellationToken ct)
    {
        var stored = await config.ReadAsync(SettingKeys.Keys, ct);
        var seeds = new Dictionary<string, string>(StringComparer.Ordinal);
        var generated = false;
        foreach (var (key, configured) in new[] { (SettingKeys.ApiKey, options.Value.ApiKey), (SettingKeys.AdminKey, options.Value.AdminKey) })
        {
            if (!string.IsNullOrEmpty(stored.GetValueOrDefault(key)))
            {
                continue;
            }
            generated |= configured is null;
            seeds[key] = configured ?? NewKey();
        }
        if (seeds.Count == 0)
        {
            return;
        }
        await config.WriteAsync(seeds, ct);
        logger.LogInformation("Stored keys for a database that had none: {Keys}", string.Join(", ", seeds.Keys));
        if (generated)
        {
            await Console.Out.WriteLineAsync(KeyListing.Describe("ChatBridge generated keys for this database. They are shown once; `keys show` shows them again.", seeds));
        }
    }

    /// <summary>256 random bits, URL-safe so it can be pasted into a header or a shell unquoted.</summary>
    public static string NewKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
