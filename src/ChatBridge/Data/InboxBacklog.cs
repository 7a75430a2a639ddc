using ChatBridge.Observability;
using Dapper;

namespace ChatBridge.Data;

/// <summary>
/// The inbox backlog gauges: messages waiting for Broca, the age of the oldest of them, and messages claimed but
/// not answered. A scrape reads a snapshot that is refreshed at most every <see cref="RefreshInterval"/>, so
/// however often (and however many) scrapers ask, the database sees one query per interval, and each query walks
/// only an index over the rows it counts (<c>idx_web_chat_messages_pending</c> and the partial
/// <c>idx_web_chat_messages_unanswered</c>), never the whole table.
/// </summary>
internal sealed class InboxBacklog
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private const string Query = """
        SELECT
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 0) AS Pending,
            (SELECT timestamp FROM web_chat_messages WHERE processed = 0 ORDER BY id LIMIT 1) AS OldestPending,
            (SELECT COUNT(*) FROM web_chat_messages WHERE processed = 1 AND answered_at IS NULL) AS Unanswered
        """;

    private readonly Db _db;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxBacklog> _logger;
    private readonly Lock _lock = new();
    private Snapshot _snapshot = new(0, null, 0);
    private DateTimeOffset _takenAt = DateTimeOffset.MinValue;

    public InboxBacklog(Db db, TimeProvider time, BridgeMetrics metrics, ILogger<InboxBacklog> logger)
    {
        _db = db;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.pending_messages", () => Current().Pending, "{message}",
            "User messages stored and not yet handed to Broca");
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.oldest_pending_age", OldestPendingAge, "s",
            "Age of the oldest message waiting for Broca; 0 when none waits");
        metrics.Meter.CreateObservableGauge("chatbridge.inbox.unanswered_messages", () => Current().Unanswered, "{message}",
            "Messages Broca claimed that have no reply yet");
    }

    private double OldestPendingAge()
    {
        var oldest = Current().OldestPending;
        return oldest is not null && Timestamps.TryParse(oldest, out var stored)
            ? Math.Max(0, (_time.GetUtcNow() - stored).TotalSeconds)
            : 0;
    }

    /// <summary>The last snapshot, taken again first when it is older than the interval. Scrapes run one at a time per exporter; the lock covers several.</summary>
    private Snapshot Current()
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
                using var connection = _db.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
                _snapshot = connection.QuerySingle<Snapshot>(Query);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // A scrape must not fail because the database does; /health says what is wrong with it.
                _logger.LogWarning(e, "Reading the inbox backlog for /metrics failed; the last values stand");
            }
            return _snapshot;
        }
    }

    private sealed record Snapshot(long Pending, string? OldestPending, long Unanswered);
}
