using ChatBridge.Data;
using ChatBridge.Realtime;

namespace ChatBridge.Settings;

/// <summary>
/// Serves <see cref="BridgeSettings"/> from memory. Changes made through the API, on this instance or another, are seen
/// on the next request; changes another program writes (the control app, the <c>keys</c> verb) within a second.
/// </summary>
internal sealed class SettingsStore
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly IConfigStore _config;
    private readonly IRealtimeBus _bus;
    private readonly TimeProvider _time;
    private volatile Snapshot? _snapshot;

    public SettingsStore(IConfigStore config, IRealtimeBus bus, NotificationHub hub, TimeProvider time)
    {
        _config = config;
        _bus = bus;
        _time = time;
        hub.SettingsChanged += () => _snapshot = null;
    }

    public async ValueTask<BridgeSettings> GetAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_snapshot is { } current && now - current.LoadedAt < MaxAge)
        {
            return current.Settings;
        }
        var settings = BridgeSettings.From(await _config.ReadAsync(SettingKeys.All, ct));
        _snapshot = new Snapshot(settings, now);
        return settings;
    }

    public async Task SaveAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        await _config.WriteAsync(values, ct);
        _snapshot = null;
        _bus.Publish(SettingsChangedEvent.Instance);
    }

    private sealed record Snapshot(BridgeSettings Settings, DateTimeOffset LoadedAt);
}
