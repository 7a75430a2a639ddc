using ChatBridge.Observability;

namespace ChatBridge.Inbox;

/// <summary>
/// The inbox backlog gauges: messages waiting for Broca, the age of the oldest of them, messages claimed but
/// not answered, and stuck messages waiting for an admin's word. A scrape reads a snapshot that is refreshed at most every <see cref="RefreshInterval"/>, so
/// however often (and however many) scrapers ask, the database sees one query per interval, and each query walks
/// only an index over the rows it counts (<c>idx_web_chat_messages_pending</c> and the partial
/// <c>idx_web_chat_messages_unanswered</c> and <c>idx_web_chat_messages_stuck</c>), never the whole table.
/// </summary>
internal sealed class InboxBacklog
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IInboxStore _inbox;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxBacklog> _logger;
    private readonly Lock _lock = new();
    private BacklogCounts _snapshot = new(0, null, 0, 0);
    private DateTimeOffset _takenAt = DateTimeOffset.MinValue;

    public InboxBacklog(IInboxStore inbox, TimeProvider time, BridgeMetrics metrics, ILogger<InboxBacklog> logger)
    {
        _inbox = inbox;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.pending_messages", () => Current().Pending, "{message}",
            "User messages stored and not yet handed to Broca");
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.oldest_pending_age", OldestPendingAge, "s",
            "Age of the oldest message waiting for Broca; 0 when none waits");
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.unanswered_messages", () => Current().Unanswered, "{message}",
            "Messages Broca claimed that have no reply yet");
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.stuck_messages", () => Current().Stuck, "{message}",
            "Messages a working Broca left unanswered MaxDeliveries times; handed out after a back-off until an admin drops or retries them");
    }

    private double OldestPendingAge()
    {
        var oldest = Current().OldestPending;
        return oldest is { } stored ? Math.Max(0, (_time.GetUtcNow() - stored).TotalSeconds) : 0;
    }

    /// <summary>The last snapshot, taken again first when it is older than the interval. Scrapes run one at a time per exporter; the lock covers several.</summary>
    private BacklogCounts Current()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now - _takenAt < RefreshInterval)
            {
                return _snapshot;
            }
            _takenAt = now;
            try
            {
                _snapshot = _inbox.CountBacklogAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException or TimeoutException)
            {
                // A scrape must not fail because the database does; /health says what is wrong with it.
                _logger.LogWarning(e, "Reading the inbox backlog for /metrics failed; the last values stand");
            }
            return _snapshot;
        }
    }
}
