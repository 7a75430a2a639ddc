using ChatBridge.Data;

namespace ChatBridge.Settings;

/// <summary>
/// Serves <see cref="BridgeSettings"/> from memory. Changes made through the API are seen on the next
/// request; changes another process writes (the control app, the <c>keys</c> verb) within a second.
/// </summary>
internal sealed class SettingsStore(ConfigRepository config, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private volatile Snapshot? _snapshot;

    public async ValueTask<BridgeSettings> GetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_snapshot is { } current && now - current.LoadedAt < MaxAge)
        {
            return current.Settings;
        }
        var settings = BridgeSettings.From(await config.ReadAsync(SettingKeys.All, ct));
        _snapshot = new Snapshot(settings, now);
        return settings;
    }

    public async Task SaveAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        await config.WriteAsync(values, ct);
        _snapshot = null;
    }

    private sealed record Snapshot(BridgeSettings Settings, DateTimeOffset LoadedAt);
}
