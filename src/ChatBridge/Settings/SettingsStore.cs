using ChatBridge.Events;
using ChatBridge.Realtime;

namespace ChatBridge.Settings;

/// <summary>
/// Serves <see cref="BridgeSettings"/> from a copy at most <see cref="MaxAge"/> old. A change made through the API is
/// seen on the next request of the instance that made it, and on the others as soon as the bus tells them. What other
/// programs write (the control app, the <c>keys</c> verb) is seen within <see cref="MaxAge"/> on SQLite, and on
/// PostgreSQL as soon as the table's trigger announces it. While the bus cannot promise to hear every instance (a
/// PostgreSQL listener reconnecting), no copy is kept: the settings are read with every request.
/// </summary>
internal sealed partial class SettingsStore
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly IConfigStore _config;
    private readonly IRealtimeBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<SettingsStore> _logger;
    private volatile Snapshot? _snapshot;

    // Moves on with every change heard; a copy read while it moved may predate the change and is never used.
    private long _version;
    private IReadOnlyList<SettingProblem> _reported = [];

    public SettingsStore(IConfigStore config, IRealtimeBus bus, NotificationHub hub, TimeProvider time, ILogger<SettingsStore> logger)
    {
        _config = config;
        _logger = logger;
        _bus = bus;
        _time = time;
        hub.SettingsChanged += Invalidate;
    }

    public async ValueTask<BridgeSettings> GetAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var version = Interlocked.Read(ref _version);
        if (_snapshot is { } current && current.Version == version && now - current.LoadedAt < MaxAge && _bus.HearsEveryInstance)
        {
            return current.Settings;
        }
        var settings = BridgeSettings.From(await _config.ReadAsync(SettingKeys.All, ct));
        _snapshot = new Snapshot(settings, now, version);
        Report(settings.Problems);
        return settings;
    }

    /// <summary>Each row another program wrote that the bridge cannot use is logged once, when it first appears.</summary>
    private void Report(IReadOnlyList<SettingProblem> problems)
    {
        var previous = Interlocked.Exchange(ref _reported, problems);
        foreach (var problem in problems.Except(previous))
        {
            if (problem.Value is null)
            {
                LogRefusedKey(problem.Name, problem.Reason);
            }
            else
            {
                LogUnreadableSetting(problem.Name, problem.Value, problem.Reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "system_config {Name} {Reason}")]
    private partial void LogRefusedKey(string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "system_config {Name} holds {Value}, which the bridge cannot read: {Reason}")]
    private partial void LogUnreadableSetting(string name, string value, string reason);

    public async Task SaveAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        await _config.WriteAsync(values, ct);
        Invalidate();
        _bus.Publish(SettingsChangedEvent.Instance);
    }

    private void Invalidate()
    {
        Interlocked.Increment(ref _version);
        _snapshot = null;
    }

    private sealed record Snapshot(BridgeSettings Settings, DateTimeOffset LoadedAt, long Version);
}
