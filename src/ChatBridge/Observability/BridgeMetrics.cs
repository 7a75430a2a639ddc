using System.Diagnostics.Metrics;

namespace ChatBridge.Observability;

/// <summary>
/// The bridge's own instruments, on the <c>ChatBridge</c> meter that <c>/metrics</c> exports (docs/OPERATIONS.md
/// lists them with their Prometheus names). Recording is a few interlocked adds: with no listener, or with the
/// exporter's aggregation, it costs nothing measurable on the hot path.
/// </summary>
internal sealed class BridgeMetrics
{
    public const string MeterName = "ChatBridge";

    /// <summary>Commits and syncs take from a fraction of a millisecond to seconds on a struggling disk.</summary>
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _repliesSent;
    private readonly Counter<long> _redeliveries;
    private readonly Counter<long> _exhausted;
    private readonly Counter<long> _rateLimitRefusals;
    private readonly Counter<long> _writeFailures;
    private long _webSockets;
    private long _longPolls;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _syncDuration;

    public BridgeMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _messagesReceived = Meter.CreateCounter<long>("chatbridge.messages.received", "{message}", "User messages stored, by agent");
        _repliesSent = Meter.CreateCounter<long>("chatbridge.replies.sent", "{reply}", "Agent replies stored, by agent");
        _redeliveries = Meter.CreateCounter<long>("chatbridge.inbox.redeliveries", "{message}",
            "Claimed messages back in the inbox, by reason: their lease lapsed unanswered, or the inbox answer never reached Broca");
        _exhausted = Meter.CreateCounter<long>("chatbridge.inbox.exhausted", "{message}",
            "Messages that became stuck: a working Broca left them unanswered MaxDeliveries times; they are still handed out, after a back-off");
        _rateLimitRefusals = Meter.CreateCounter<long>("chatbridge.rate_limit.refusals", "{request}", "Requests refused with 429, by reason");
        _writeFailures = Meter.CreateCounter<long>("chatbridge.write.failures", "{write}", "Writes that failed as a whole group, by reason");
        // Observed rather than counted up and down, so they read 0 from the start instead of missing until the first one.
        Meter.CreateObservableUpDownCounter("chatbridge.websocket.connections", () => Interlocked.Read(ref _webSockets), "{connection}", "Open chat WebSockets");
        Meter.CreateObservableUpDownCounter("chatbridge.long_polls.waiting", () => Interlocked.Read(ref _longPolls), "{request}", "Long polls waiting for news");
        _commitDuration = Meter.CreateHistogram("chatbridge.write.commit.duration", "s", "Time to commit one group of writes", advice: LatencyBuckets);
        _syncDuration = Meter.CreateHistogram("chatbridge.write.sync.duration", "s", "Time to sync the write-ahead log to disk", advice: LatencyBuckets);
    }

    /// <summary>For instruments observed by their owners (the write queue's depth, the inbox backlog).</summary>
    public Meter Meter { get; }

    public void MessageReceived(long? agentId) => _messagesReceived.Add(1, AgentTag(agentId));

    public void ReplySent(long? agentId) => _repliesSent.Add(1, AgentTag(agentId));

    public void Redelivered(int count, string reason)
    {
        if (count > 0)
        {
            _redeliveries.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void DeliveriesExhausted() => _exhausted.Add(1);

    public void RateLimitRefused(string reason) => _rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void WriteGroupFailed(string reason, int writes) => _writeFailures.Add(writes, new KeyValuePair<string, object?>("reason", reason));

    public void WebSocketOpened() => Interlocked.Increment(ref _webSockets);

    public void WebSocketClosed() => Interlocked.Decrement(ref _webSockets);

    /// <summary>Long polls whose deadline is running; <c>chatbridge.long_polls.waiting</c> reports it.</summary>
    public long LongPollsWaiting => Interlocked.Read(ref _longPolls);

    public void LongPollStarted() => Interlocked.Increment(ref _longPolls);

    public void LongPollEnded() => Interlocked.Decrement(ref _longPolls);

    public void Committed(TimeSpan elapsed) => _commitDuration.Record(elapsed.TotalSeconds);

    public void Synced(TimeSpan elapsed) => _syncDuration.Record(elapsed.TotalSeconds);

    /// <summary>Agents are few (rows of <c>agents</c>), so the tag stays low-cardinality.</summary>
    private static KeyValuePair<string, object?> AgentTag(long? agentId) =>
        new("agent", agentId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
}
