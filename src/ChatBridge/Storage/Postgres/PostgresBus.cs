using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using ChatBridge.Chat;
using ChatBridge.Events;
using ChatBridge.Realtime;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// The realtime bus between instances on one PostgreSQL database. An event reaches this instance's listeners at once
/// and the other instances through <c>NOTIFY</c>: ids and short states only, never a reply's text, which the receiving
/// instance reads by id. The listening connection is watched; when it drops it is opened again, and the replies
/// committed meanwhile are read from the database, each delivered once.
/// </summary>
internal sealed partial class PostgresBus(
    NpgsqlDataSource db, NotificationHub hub, IReplyStore replies, TimeProvider time, ILogger<PostgresBus> logger)
    : BackgroundService, IRealtimeBus
{
    public const string Channel = "chatbridge";

    /// <summary>PostgreSQL refuses a payload of 8000 bytes or more; events are packed into payloads below this.</summary>
    private const int MaxPayloadBytes = 7000;

    /// <summary>How often a quiet listening connection is checked; bounds how long a dropped one goes unnoticed.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Catch-up reads replies stored from this long before the connection was lost: a reply whose id came before the
    /// loss may commit after it, and the ids already delivered keep anything from arriving twice.
    /// </summary>
    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(10);

    private readonly string _origin = RandomNumberGenerator.GetHexString(12, lowercase: true);
    private readonly Channel<string> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<long> _repliesToRead = System.Threading.Channels.Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RecentIds _deliveredReplies = new(capacity: 50_000);
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _listening;

    /// <summary>Whether this instance hears the others now.</summary>
    public bool IsListening => _listening;

    public void Publish(BusEvent evt)
    {
        if (evt is ReplyEvent reply)
        {
            _deliveredReplies.Add(reply.Response.Id);
        }
        hub.Deliver(evt);
        _outgoing.Writer.TryWrite(BusWire.Write(evt));
    }

    /// <summary>Starts listening before the instance serves, so its first requests already hear the others (waits a few seconds at most).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await Task.WhenAny(_firstListen.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken), ReadRepliesAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        DateTimeOffset? lostAt = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                _listening = true;
                _firstListen.TrySetResult();
                if (lostAt is { } since)
                {
                    await CatchUpAsync(since, ct);
                    LogListening(time.GetUtcNow() - since);
                    lostAt = null;
                }
                while (true)
                {
                    if (!await connection.WaitAsync(ProbeInterval, ct))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (_listening || lostAt is null)
                {
                    LogLost(e);
                }
                _listening = false;
                lostAt ??= time.GetUtcNow();
                await DelayAsync(ct);
            }
        }
    }

    /// <summary>What the others committed while this instance could not hear them: replies from the database, and a nudge for the rest.</summary>
    private async Task CatchUpAsync(DateTimeOffset lostAt, CancellationToken ct)
    {
        foreach (var (sessionId, response) in await replies.GetResponsesSinceAsync(lostAt - CatchUpMargin, ct))
        {
            if (_deliveredReplies.Add(response.Id))
            {
                hub.Deliver(new ReplyEvent(sessionId, response));
            }
        }
        // Messages may have been stored or returned to the inbox, and settings changed: pollers claim, settings reload.
        hub.Deliver(InboxRefilledEvent.Instance);
        hub.Deliver(SettingsChangedEvent.Instance);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var lines = e.Payload.Split('\n');
        if (lines.Length < 2 || lines[0] == _origin)
        {
            return;
        }
        foreach (var line in lines.AsSpan(1))
        {
            switch (BusWire.Read(line))
            {
                case ReplyIdEvent reply:
                    _repliesToRead.Writer.TryWrite(reply.ResponseId);
                    break;
                case { } evt:
                    hub.Deliver(evt);
                    break;
                default:
                    LogUnreadable(line);
                    break;
            }
        }
    }

    /// <summary>Another instance stored a reply: its text is read here, once.</summary>
    private async Task ReadRepliesAsync(CancellationToken ct)
    {
        await foreach (var id in _repliesToRead.Reader.ReadAllAsync(ct))
        {
            if (_deliveredReplies.Contains(id))
            {
                continue;
            }
            try
            {
                if (await replies.GetResponseAsync(id, ct) is var (sessionId, response) && _deliveredReplies.Add(id))
                {
                    hub.Deliver(new ReplyEvent(sessionId, response));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The listener's catch-up reads it once the database answers again.
                LogReplyUnread(id, e);
            }
        }
    }

    /// <summary>Packs queued events into as few notifications as fit, each prefixed with this instance's id.</summary>
    private async Task SendAsync(CancellationToken ct)
    {
        var payload = new StringBuilder();
        while (await _outgoing.Reader.WaitToReadAsync(ct))
        {
            payload.Clear().Append(_origin);
            while (payload.Length < MaxPayloadBytes && _outgoing.Reader.TryRead(out var line))
            {
                payload.Append('\n').Append(line);
            }
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                notify.Parameters.AddWithValue("channel", Channel);
                notify.Parameters.AddWithValue("payload", payload.ToString());
                await notify.ExecuteNonQueryAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The others catch up on replies when their own listeners reconnect; the rest is state a reload restores.
                LogSendFailed(e);
                await DelayAsync(ct);
            }
        }
    }

    private async Task DelayAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(RetryDelay, time, ct);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other instances' events failed; retrying every half second")]
    private partial void LogLost(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for other instances' events again after {Outage}; missed replies delivered from the database")]
    private partial void LogListening(TimeSpan outage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling other instances of events failed")]
    private partial void LogSendFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading reply {ResponseId} announced by another instance failed")]
    private partial void LogReplyUnread(long responseId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable event from another instance: {Line}")]
    private partial void LogUnreadable(string line);
}

/// <summary>A reply another instance stored, known by id until its row is read.</summary>
internal sealed record ReplyIdEvent(long ResponseId) : BusEvent;

/// <summary>One event per line, fields split by <c>|</c>; session ids (<c>session_[A-Za-z0-9_]+</c>) contain neither.</summary>
internal static class BusWire
{
    public static string Write(BusEvent evt) => evt switch
    {
        MessageStoredEvent m => Invariant($"m|{m.MessageId}|{m.SessionId}"),
        DeliveryEvent d => Invariant($"d|{d.MessageId}|{d.DeliveryCount}|{d.Status}|{d.SessionId}"),
        InboxRefilledEvent => "i",
        ReplyEvent r => Invariant($"r|{r.Response.Id}"),
        TypingEvent t => $"t|{t.State}|{t.SessionId}",
        SettingsChangedEvent => "c",
        _ => throw new ArgumentException($"No wire form for {evt.GetType().Name}.", nameof(evt)),
    };

    public static BusEvent? Read(string line)
    {
        var fields = line.Split('|');
        return (fields[0], fields.Length) switch
        {
            ("m", 3) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id) => new MessageStoredEvent(fields[2], id),
            ("d", 5) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id)
                          && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var count) => new DeliveryEvent(fields[4], id, fields[3], count),
            ("i", 1) => InboxRefilledEvent.Instance,
            ("r", 2) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id) => new ReplyIdEvent(id),
            ("t", 3) => new TypingEvent(fields[2], fields[1]),
            ("c", 1) => SettingsChangedEvent.Instance,
            _ => null,
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The latest ids seen, up to a capacity; the oldest are forgotten first.</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _ids = [];
    private readonly Queue<long> _order = new();

    /// <summary>False when the id was already there.</summary>
    public bool Add(long id)
    {
        lock (_lock)
        {
            if (!_ids.Add(id))
            {
                return false;
            }
            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
            return true;
        }
    }

    public bool Contains(long id)
    {
        lock (_lock)
        {
            return _ids.Contains(id);
        }
    }
}
