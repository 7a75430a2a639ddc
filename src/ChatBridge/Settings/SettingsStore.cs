using ChatBridge.Configuration;
using ChatBridge.Events;
using ChatBridge.Realtime;
using Microsoft.Extensions.Options;

namespace ChatBridge.Settings;

/// <summary>
/// Serves <see cref="BridgeSettings"/>. Changes made through the API, on this instance or another, are seen on the next
/// request; changes another program writes (the control app, the <c>keys</c> verb) within a second on SQLite, and on the
/// next request on PostgreSQL.
/// </summary>
internal sealed partial class SettingsStore
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly IConfigStore _config;
    private readonly IRealtimeBus _bus;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly ILogger<SettingsStore> _logger;
    private volatile Snapshot? _snapshot;
    private IReadOnlyList<SettingProblem> _reported = [];

    public SettingsStore(
        IConfigStore config, IRealtimeBus bus, NotificationHub hub, TimeProvider time, IOptions<ChatBridgeOptions> options, ILogger<SettingsStore> logger)
    {
        _config = config;
        _logger = logger;
        _bus = bus;
        _time = time;
        // Another instance announces its change after its own 200, so a copy kept here could still accept a rotated-out
        // key on a request sent after that answer: with PostgreSQL the settings are read with every request.
        _maxAge = options.Value.Database.IsPostgres ? TimeSpan.Zero : MaxAge;
        hub.SettingsChanged += () => _snapshot = null;
    }

    public async ValueTask<BridgeSettings> GetAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_snapshot is { } current && now - current.LoadedAt < _maxAge)
        {
            return current.Settings;
        }
        var settings = BridgeSettings.From(await _config.ReadAsync(SettingKeys.All, ct));
        _snapshot = new Snapshot(settings, now);
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
        _snapshot = null;
        _bus.Publish(SettingsChangedEvent.Instance);
    }

    private sealed record Snapshot(BridgeSettings Settings, DateTimeOffset LoadedAt);
}
