using System.Globalization;
using System.Text.RegularExpressions;
using ChatBridge.Inbox;
using ChatBridge.Observability;
using ChatBridge.Tests.Delivery;
using ChatBridge.Tests.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Hosting;

/// <summary>
/// OpenTelemetry listens to meters by name, so a host's <c>/metrics</c> would also count what other hosts in the
/// test process record at the same time: these tests run alone.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_carry_the_http_server_histogram_and_the_bridges_counters_by_agent()
    {
        using var app = new BridgeApp();
        var agent = app.AddAgent("metrics-agent");
        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_metrics_a", message = "hi", agent_id = agent })).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_metrics_b", "no agent")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_metrics_a", "hello")).DataAsync();

        var metrics = await ScrapeAsync(app.Anonymous());

        Assert.Contains("http_server_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Value(metrics, "chatbridge_messages_received_total", $"agent=\"{agent}\""));
        Assert.Equal(1, Value(metrics, "chatbridge_messages_received_total", "agent=\"none\""));
        Assert.Equal(1, Value(metrics, "chatbridge_replies_sent_total", $"agent=\"{agent}\""));
        Assert.Equal(0, Value(metrics, "chatbridge_websocket_connections"));
        Assert.Equal(0, Value(metrics, "chatbridge_long_polls_waiting"));
    }

    [Fact]
    public async Task Metrics_carry_the_runtimes_gc_heap_and_thread_pool()
    {
        using var app = new BridgeApp();
        GC.Collect();

        var metrics = await ScrapeAsync(app.Anonymous());

        Assert.Matches(@"(?m)^dotnet_gc_last_collection_heap_size_bytes\{[^}]*gc_heap_generation=""gen2""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"(?m)^dotnet_thread_pool_thread_count_total\{[^}]*\} [1-9]", metrics);
    }

    [SqliteFact]
    public async Task Metrics_carry_the_sqlite_writers_queue_depth_and_its_commit_and_sync_times()
    {
        using var app = new BridgeApp();
        await (await app.Anonymous().PostMessageAsync("session_metrics_writer", "hi")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_metrics_writer", "hello")).DataAsync();

        var metrics = await ScrapeAsync(app.Anonymous());

        Assert.True(Value(metrics, "chatbridge_write_commit_duration_seconds_count") >= 3);
        Assert.True(Value(metrics, "chatbridge_write_sync_duration_seconds_count") >= 1);
        Assert.Equal(0, Value(metrics, "chatbridge_write_queue_depth"));
    }

    [Fact]
    public async Task Backlog_gauges_count_pending_and_unanswered_messages_from_a_snapshot_taken_at_most_every_five_seconds()
    {
        // Time stands still but for the test's moves, so "within five seconds" means the same on a busy machine.
        var time = TestClocks.Frozen();
        using var app = new BridgeApp { TestServices = services => services.AddSingleton<TimeProvider>(time) };
        for (var i = 0; i < 3; i++)
        {
            await (await app.Anonymous().PostMessageAsync($"session_backlog_{i}", "waiting")).DataAsync();
        }
        await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=1")).DataAsync();
        time.Advance(TimeSpan.FromSeconds(90));

        var first = await ScrapeAsync(app.Anonymous());
        await (await app.Anonymous().PostMessageAsync("session_backlog_late", "one more")).DataAsync();
        time.Advance(InboxBacklog.RefreshInterval - TimeSpan.FromMilliseconds(1));
        var cached = await ScrapeAsync(app.Anonymous());
        time.Advance(TimeSpan.FromMilliseconds(1));
        var refreshed = await ScrapeAsync(app.Anonymous());

        Assert.Equal(2, Value(first, "chatbridge_inbox_pending_messages"));
        Assert.Equal(1, Value(first, "chatbridge_inbox_unanswered_messages"));
        Assert.Equal(90, Value(first, "chatbridge_inbox_oldest_pending_age_seconds"));
        Assert.Equal(2, Value(cached, "chatbridge_inbox_pending_messages"));
        Assert.Equal(3, Value(refreshed, "chatbridge_inbox_pending_messages"));
    }

    [Fact]
    public async Task Open_websockets_and_waiting_long_polls_are_gauged()
    {
        using var app = new BridgeApp();
        await using var socket = await EventSocket.ConnectAsync(app, "session_metrics_ws");
        using var hangUp = new CancellationTokenSource();
        var poll = app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_metrics_poll&wait=30", hangUp.Token);
        // The poll subscribes before its first query and only counts as waiting once that query found nothing.
        await Eventually.UntilAsync(() => app.Services.GetRequiredService<BridgeMetrics>().LongPollsWaiting > 0, "the poll waiting");

        var metrics = await ScrapeAsync(app.Anonymous());
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);

        Assert.Equal(1, Value(metrics, "chatbridge_websocket_connections"));
        Assert.Equal(1, Value(metrics, "chatbridge_long_polls_waiting"));
    }

    [Fact]
    public async Task Lapsed_leases_count_as_redeliveries_and_a_stuck_message_is_counted_and_gauged()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);

        var id = await app.PostStuckAsync(time, "session_metrics_lease");

        var metrics = await ScrapeAsync(app.Anonymous());
        await (await app.Admin().PostJsonAsync("drop_message", new { message_id = id })).DataAsync();
        time.Advance(InboxBacklog.RefreshInterval);
        var dropped = await ScrapeAsync(app.Anonymous());

        Assert.Equal(3, Value(metrics, "chatbridge_inbox_redeliveries_total", "reason=\"lease_expired\""));
        Assert.Equal(1, Value(metrics, "chatbridge_inbox_exhausted_total"));
        Assert.Equal(1, Value(metrics, "chatbridge_inbox_stuck_messages"));
        Assert.Equal(0, Value(dropped, "chatbridge_inbox_stuck_messages"));
    }

    [Fact]
    public async Task Rate_limit_refusals_are_counted_by_action()
    {
        using var app = new BridgeApp { RateLimiting = true };
        await (await app.Admin().PostJsonAsync("config", new { rate_limit_messages = 1 })).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_metrics_rl", "1")).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_metrics_rl", "2")).AssertErrorAsync(429, "Rate limit exceeded");
        await (await app.Anonymous().PostMessageAsync("session_metrics_rl", "3")).AssertErrorAsync(429, "Rate limit exceeded");

        var metrics = await ScrapeAsync(app.Anonymous());

        Assert.Equal(2, Value(metrics, "chatbridge_rate_limit_refusals_total", "reason=\"messages\""));
    }

    [Fact]
    public async Task Switched_off_metrics_are_a_404()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Metrics:Enabled"] = "false" } };

        Assert.Equal(404, (int)(await app.Anonymous().GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Only_loopback_may_scrape_by_default_and_only_the_listed_networks_once_configured()
    {
        using var byDefault = new BridgeApp();
        using var elsewhere = new BridgeApp { Settings = { ["ChatBridge:Metrics:AllowedNetworks:0"] = "10.0.0.0/8" } };
        using var local = new HttpClient { BaseAddress = byDefault.ServeOnLoopback() };
        using var notListed = new HttpClient { BaseAddress = elsewhere.ServeOnLoopback() };

        Assert.Equal(200, (int)(await local.GetAsync("/metrics")).StatusCode);
        Assert.Equal(404, (int)(await notListed.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_the_one_checked()
    {
        using var app = new BridgeApp
        {
            Settings =
            {
                ["ChatBridge:TrustedProxies:0"] = "127.0.0.1",
                ["ChatBridge:Metrics:AllowedNetworks:0"] = "10.0.0.0/8",
            },
        };
        using var proxy = new HttpClient { BaseAddress = app.ServeOnLoopback() };

        Assert.Equal(200, (int)(await proxy.SendAsync(Forwarded("10.1.2.3"))).StatusCode);
        Assert.Equal(404, (int)(await proxy.SendAsync(Forwarded("203.0.113.9"))).StatusCode);
    }

    [Fact]
    public void A_network_that_does_not_parse_stops_the_start()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Metrics:AllowedNetworks:0"] = "10.0.0.0/33" } };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("ChatBridge:Metrics:AllowedNetworks: '10.0.0.0/33'", error.ToString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Forwarded(string client)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Forwarded-For", client);
        return request;
    }

    internal static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
    internal static double Value(string metrics, string name, string label = "")
    {
        var samples = metrics.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .ToList();
        Assert.True(samples.Count == 1, $"expected one sample of {name} with {label}, found {samples.Count} in:\n{metrics}");
        return double.Parse(samples[0].Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<name>[a-z_:][a-z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();
}
