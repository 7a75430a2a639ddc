using ChatBridge.Events;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests.Units;

/// <summary>When <see cref="SettingsStore"/> answers from its copy and when it reads the table again.</summary>
public sealed class SettingsCopyTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly CountingConfig _config = new();
    private readonly Bus _bus = new();
    private readonly NotificationHub _hub = new(new AdminFeed());

    [Fact]
    public async Task While_every_instance_is_heard_a_copy_serves_until_it_is_a_second_old()
    {
        var store = Store();

        await store.GetAsync(default);
        await store.GetAsync(default);
        _time.Advance(SettingsStore.MaxAge - TimeSpan.FromMilliseconds(1));
        await store.GetAsync(default);
        Assert.Equal(1, _config.Reads);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await store.GetAsync(default);
        Assert.Equal(2, _config.Reads);
    }

    [Fact]
    public async Task While_the_other_instances_are_not_heard_every_request_reads_the_table()
    {
        var store = Store();
        await store.GetAsync(default);

        _bus.Hears = false;
        await store.GetAsync(default);
        await store.GetAsync(default);

        Assert.Equal(3, _config.Reads);
    }

    [Fact]
    public async Task A_change_heard_from_the_bus_is_read_on_the_next_request()
    {
        var store = Store();
        Assert.Equal("first-key-0123456789", (await store.GetAsync(default)).ApiKey);

        _config.ApiKey = "second-key-0123456789";
        _hub.Deliver(SettingsChangedEvent.Instance);

        Assert.Equal("second-key-0123456789", (await store.GetAsync(default)).ApiKey);
    }

    [Fact]
    public async Task A_copy_read_while_a_change_was_heard_is_never_served()
    {
        var store = Store();
        var held = _config.HoldNextRead();
        var reading = store.GetAsync(default).AsTask();
        await held.Started;

        // The change commits and is announced while the read that began before it is still under way.
        _config.ApiKey = "second-key-0123456789";
        _hub.Deliver(SettingsChangedEvent.Instance);
        held.Release("first-key-0123456789");
        Assert.Equal("first-key-0123456789", (await reading).ApiKey);

        Assert.Equal("second-key-0123456789", (await store.GetAsync(default)).ApiKey);
    }

    [Fact]
    public async Task A_change_saved_here_is_read_on_the_next_request()
    {
        var store = Store();
        await store.GetAsync(default);

        await store.SaveAsync(new Dictionary<string, string> { ["api_key"] = "second-key-0123456789" }, default);

        Assert.Equal("second-key-0123456789", (await store.GetAsync(default)).ApiKey);
    }

    private SettingsStore Store() => new(_config, _bus, _hub, _time, NullLogger<SettingsStore>.Instance);

    private sealed class Bus : IRealtimeBus
    {
        public bool Hears { get; set; } = true;

        public bool HearsEveryInstance => Hears;

        public void Publish(BusEvent evt)
        {
        }
    }

    private sealed class CountingConfig : IConfigStore
    {
        private HeldRead? _held;

        public int Reads { get; private set; }

        public string ApiKey { get; set; } = "first-key-0123456789";

        public HeldRead HoldNextRead() => _held = new HeldRead();

        public async Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct)
        {
            Reads++;
            var apiKey = ApiKey;
            if (Interlocked.Exchange(ref _held, null) is { } held)
            {
                held.Start();
                apiKey = await held.Value;
            }
            return new Dictionary<string, string?> { ["api_key"] = apiKey, ["admin_key"] = "admin-key-0123456789abcdef" };
        }

        public Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
        {
            ApiKey = values["api_key"];
            return Task.CompletedTask;
        }
    }

    /// <summary>A read that waits, once begun, until the test gives it the value it found.</summary>
    private sealed class HeldRead
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _value = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task<string> Value => _value.Task;

        public void Start() => _started.SetResult();

        public void Release(string apiKey) => _value.SetResult(apiKey);
    }
}
