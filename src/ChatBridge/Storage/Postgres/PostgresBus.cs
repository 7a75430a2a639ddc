using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using ChatBridge.Chat;
using ChatBridge.Events;
using ChatBridge.Realtime;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// The realtime bus between instances on one PostgreSQL database. An event reaches this instance's listeners at once
/// and the other instances through <c>NOTIFY</c>: ids and short states, and a reply's text only where its own statement
/// announces it (and it fits); any other reply the receiving instance reads by id, in batches. Nothing is dropped
/// silently: a notification that fails is sent again until it goes; each carries its sender's sequence number, so a
/// receiver that misses one (or hears that the sender's queue overflowed) reads what it missed from the database. The
/// listening connection is one of its own, outside the pool, and watched; when it drops it is opened again and the
/// replies committed meanwhile are read, each delivered once.
/// <para>
/// Notifications leave from one sender, many events to a payload, after the writes they announce have committed, not
/// inside the writing transactions: PostgreSQL serializes the commits of all transactions that notify (a lock for the
/// whole cluster, taken at commit, keeps the notification queue in commit order), so a NOTIFY in every transaction would
/// queue each commit behind every other instance's. The usual reply is the exception (<see cref="AnnouncedWrites"/>):
/// its statement goes in one of the instance's write batches, one on its way at a time, so its NOTIFY holds that lock
/// for one commit per batch, and the reply's push on the other instances saves the sender's round trip and, when the
/// notification carries the reply, their read of it.
/// </para>
/// </summary>
internal sealed partial class PostgresBus(
    BusListener listener, IBusNotifier notifier, AnnouncedWrites announced, NotificationHub hub, IReplyStore replies, TimeProvider time,
    ILogger<PostgresBus> logger)
    : BackgroundService, IRealtimeBus
{
    public const string Channel = "chatbridge";

    /// <summary>Where the database itself announces a write to <c>system_config</c>, whoever made it (schema step 019).</summary>
    public const string SettingsChannel = "chatbridge_settings";

    /// <summary>PostgreSQL refuses a payload of 8000 bytes or more; events are packed into payloads below this.</summary>
    public const int MaxPayloadBytes = 7000;

    /// <summary>
    /// Events waiting to be sent, and announced replies waiting to be read, at most. Past it an event is not queued;
    /// the receivers are told to catch up from the database instead, so memory stays bounded however long the
    /// database is away.
    /// </summary>
    private const int MaxQueued = 10_000;

    /// <summary>Announced replies read with one statement at most.</summary>
    private const int ReadBatch = 64;

    /// <summary>How often a quiet listening connection is checked; bounds how long a dropped one goes unnoticed.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Catch-up reads replies stored from this long before the moment it starts from: a reply whose id came before
    /// may commit after it, and the ids already delivered keep anything from arriving twice.
    /// </summary>
    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(10);

    private readonly string _origin = announced.Origin;
    private readonly Channel<string> _outgoing = System.Threading.Channels.Channel.CreateBounded<string>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly AnnouncedReplies _announcedReplies = new(MaxQueued);
    private readonly RecentIds _deliveredReplies = new(capacity: 50_000);
    private readonly SenderPositions _senders = new();
    private readonly CatchUpRequests _catchUps = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;

    // UTC ticks of the first event this instance could not queue since its last notification; 0 when none.
    private long _overflowSinceTicks;
    private volatile bool _listening;

    /// <summary>Whether this instance hears the others now: its listening connection is open.</summary>
    public bool HearsEveryInstance => _listening;

    public void Publish(BusEvent evt)
    {
        // A reply its own statement announced has told the others as it committed.
        var toldAlready = false;
        if (evt is ReplyEvent reply)
        {
            _deliveredReplies.Add(reply.Response.Id);
            toldAlready = announced.TakeAnnouncedReply(reply.Response.Id);
        }
        hub.Deliver(evt);
        if (toldAlready)
        {
            return;
        }
        if (!_outgoing.Writer.TryWrite(BusWire.Write(evt)))
        {
            // The others will read what this was about from the database: the next notification tells them since when.
            Interlocked.CompareExchange(ref _overflowSinceTicks, time.GetUtcNow().UtcTicks, 0);
        }
    }

    /// <summary>Starts listening before the instance serves, so its first requests already hear the others (waits a few seconds at most).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await Task.WhenAny(_firstListen.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken), ReadRepliesAsync(stoppingToken), CatchUpAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        DateTimeOffset? lostAt = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await listener.OpenAsync(ct);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {SettingsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                _listening = true;
                _firstListen.TrySetResult();
                if (lostAt is { } since)
                {
                    _catchUps.Request(since);
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

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == SettingsChannel)
        {
            hub.Deliver(SettingsChangedEvent.Instance);
            return;
        }
        if (BusWire.ReadNotification(e.Payload) is not { } notification || notification.Origin == _origin)
        {
            return;
        }
        var now = time.GetUtcNow();
        if (_senders.Heard(notification.Origin, notification.Sequence, now) is { } missedSince)
        {
            LogGap(notification.Origin);
            _catchUps.Request(missedSince);
        }
        foreach (var line in notification.Lines)
        {
            switch (BusWire.Read(line))
            {
                case AnnouncedReplyEvent reply:
                    switch (_announcedReplies.Add(reply))
                    {
                        case AnnouncedReply.DeliverNow when _deliveredReplies.Add(reply.ResponseId):
                            hub.Deliver(reply.Carried!);
                            break;
                        case AnnouncedReply.QueueFull:
                            _catchUps.Request(now);
                            break;
                    }
                    break;
                case OverflowEvent overflow:
                    _catchUps.Request(overflow.Since);
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

    /// <summary>
    /// The announced replies the listener queued (<see cref="AnnouncedReplies"/>), delivered once each in the order they
    /// were announced: those that came with their notification as they are, the others read here in batches.
    /// </summary>
    private async Task ReadRepliesAsync(CancellationToken ct)
    {
        var batch = new List<AnnouncedReplyEvent>(ReadBatch);
        var toRead = new List<long>(ReadBatch);
        while (await _announcedReplies.WaitToTakeAsync(ct))
        {
            batch.Clear();
            _announcedReplies.Take(batch, ReadBatch);
            toRead.Clear();
            toRead.AddRange(batch.Where(reply => reply.Carried is null && !_deliveredReplies.Contains(reply.ResponseId)).Select(reply => reply.ResponseId));
            try
            {
                var read = toRead.Count == 0
                    ? []
                    : (await replies.GetResponsesAsync(toRead, ct)).ToDictionary(row => row.Response.Id, row => new ReplyEvent(row.SessionId, row.Response));
                foreach (var reply in batch)
                {
                    if ((reply.Carried ?? read.GetValueOrDefault(reply.ResponseId)) is { } evt && _deliveredReplies.Add(reply.ResponseId))
                    {
                        hub.Deliver(evt);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRepliesUnread(toRead.Count, e);
                _catchUps.Request(time.GetUtcNow());
                await DelayAsync(ct);
            }
            finally
            {
                _announcedReplies.Handled(batch.Count);
            }
        }
    }

    /// <summary>What this instance missed (a dropped listener, a gap in a sender's sequence, a sender's overflow), read from the database.</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        while (await _catchUps.NextAsync(ct) is { } since)
        {
            try
            {
                foreach (var (sessionId, response) in await replies.GetResponsesSinceAsync(since - CatchUpMargin, ct))
                {
                    if (_deliveredReplies.Add(response.Id))
                    {
                        hub.Deliver(new ReplyEvent(sessionId, response));
                    }
                }
                // Messages may have been stored or returned to the inbox, settings changed, and the admin console's
                // changes missed: pollers claim, settings reload, consoles reload.
                hub.Deliver(InboxRefilledEvent.Instance);
                hub.Deliver(SettingsChangedEvent.Instance);
                hub.Deliver(CaughtUpEvent.Instance);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCatchUpFailed(e);
                _catchUps.Request(since);
                await DelayAsync(ct);
            }
        }
    }

    /// <summary>
    /// Packs queued events into as few notifications as fit, each headed by this instance's id and sequence number.
    /// A notification that fails is sent again, the same one, until it goes: the others hear every event, late.
    /// </summary>
    private async Task SendAsync(CancellationToken ct)
    {
        var payload = new StringBuilder();
        while (await _outgoing.Reader.WaitToReadAsync(ct))
        {
            payload.Clear().Append(BusWire.Header(_origin, ++_sequence));
            if (Interlocked.Exchange(ref _overflowSinceTicks, 0) is var since and not 0)
            {
                payload.Append('\n').Append(BusWire.Write(new OverflowEvent(new DateTimeOffset(since, TimeSpan.Zero))));
            }
            while (payload.Length < MaxPayloadBytes && _outgoing.Reader.TryRead(out var line))
            {
                payload.Append('\n').Append(line);
            }
            var text = payload.ToString();
            var failures = 0;
            while (true)
            {
                try
                {
                    await notifier.NotifyAsync(Channel, text, ct);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (failures++ == 0)
                    {
                        LogSendFailed(e);
                    }
                    await DelayAsync(ct);
                }
            }
            if (failures > 0)
            {
                LogSent(failures);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling other instances of events failed; the same notification is sent again every half second")]
    private partial void LogSendFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Told other instances of events after {Failures} failed attempts")]
    private partial void LogSent(int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Count} replies announced by other instances failed; they are read from the database again")]
    private partial void LogRepliesUnread(int count, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading what other instances did while this one could not hear them failed; retrying")]
    private partial void LogCatchUpFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "A notification of instance {Origin} went missing; what it announced is read from the database")]
    private partial void LogGap(string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable event from another instance: {Line}")]
    private partial void LogUnreadable(string line);
}

/// <summary>The bus's own listening connection.</summary>
internal sealed class BusListener(string connectionString)
{
    /// <summary>
    /// A connection outside the pool: the pool's connections are not reset when returned (no UNLISTEN), so a listening
    /// one disposed after an error could go back to the pool still listening; and requests never wait for it.
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30 }.ToString());
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>Sends one notification to the other instances.</summary>
internal interface IBusNotifier
{
    Task NotifyAsync(string channel, string payload, CancellationToken ct);
}

internal sealed class PoolNotifier(NpgsqlDataSource pool) : IBusNotifier
{
    public async Task NotifyAsync(string channel, string payload, CancellationToken ct)
    {
        await using var connection = await pool.OpenConnectionAsync(ct);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>The last sequence number heard from each other instance, to notice a notification that never came.</summary>
internal sealed class SenderPositions
{
    /// <summary>Senders remembered at most: each restart of an instance is a new sender, and the long gone are forgotten first.</summary>
    internal const int MaxSenders = 1024;

    private readonly Dictionary<string, (long Sequence, DateTimeOffset At)> _last = new(StringComparer.Ordinal);

    /// <summary>
    /// Notes a notification; answers since when something may be missing when it is not the one after the last heard
    /// (null when nothing is). An instance heard for the first time, or one that says nothing of its sequence, has no gap.
    /// </summary>
    public DateTimeOffset? Heard(string origin, long? sequence, DateTimeOffset now)
    {
        if (sequence is not { } current)
        {
            return null;
        }
        lock (_last)
        {
            var gap = _last.TryGetValue(origin, out var last) && current != last.Sequence + 1 ? last.At : (DateTimeOffset?)null;
            _last[origin] = (current, now);
            if (_last.Count > MaxSenders)
            {
                _last.Remove(_last.MinBy(entry => entry.Value.At).Key);
            }
            return gap;
        }
    }
}

/// <summary>Requests to read from the database what was missed, merged into one from the earliest moment asked for.</summary>
internal sealed class CatchUpRequests
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _lock = new();
    private DateTimeOffset? _since;

    public void Request(DateTimeOffset since)
    {
        lock (_lock)
        {
            var wasIdle = _since is null;
            _since = _since is { } earlier && earlier < since ? earlier : since;
            if (!wasIdle)
            {
                return;
            }
        }
        _signal.Release();
    }

    /// <summary>The earliest moment asked for since the last call, once there is one; null when stopping.</summary>
    public async Task<DateTimeOffset?> NextAsync(CancellationToken ct)
    {
        try
        {
            await _signal.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        lock (_lock)
        {
            var since = _since;
            _since = null;
            return since;
        }
    }
}

/// <summary>A sender's queue overflowed: events since then were not sent, and the receivers read them from the database.</summary>
internal sealed record OverflowEvent(DateTimeOffset Since) : BusEvent;

/// <summary>
/// A reply another instance stored: carried whole when its notification had room for it, else known by id until its
/// row is read.
/// </summary>
internal sealed record AnnouncedReplyEvent(long ResponseId, ReplyEvent? Carried = null) : BusEvent;

/// <summary>
/// One event per line, fields split by <c>|</c>; session ids (<c>session_[A-Za-z0-9_]+</c>) contain neither. A reply
/// announced by its own statement may carry itself: its text comes last, as a JSON string, which holds no line break.
/// </summary>
internal static class BusWire
{
    private static readonly JsonSerializerOptions TextOnly = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// What follows a reply's <c>r|id|message_id</c> when its notification carries it: its time, author, session and
    /// text. Empty when that would not fit in a notification, which then names the reply only.
    /// </summary>
    public static string CarriedReply(string sessionId, string text, DateTimeOffset timestamp, string author, int room)
    {
        var carried = Invariant($"|{timestamp.ToUnixTimeMilliseconds()}|{author}|{sessionId}|{JsonSerializer.Serialize(text, TextOnly)}");
        return Encoding.UTF8.GetByteCount(carried) <= room ? carried : "";
    }

    public static string Write(BusEvent evt) => evt switch
    {
        MessageStoredEvent m => Invariant($"m|{m.MessageId}|{m.SessionId}"),
        DeliveryEvent d => Invariant($"d|{d.MessageId}|{d.DeliveryCount}|{d.Status}|{d.SessionId}"),
        InboxRefilledEvent => "i",
        ReplyEvent r => Invariant($"r|{r.Response.Id}"),
        TypingEvent t => $"t|{t.State}|{t.SessionId}",
        ReceiptEvent v => Invariant($"v|{v.Type}|{v.ResponseId}|{v.SessionId}"),
        SettingsChangedEvent => "c",
        OverflowEvent o => Invariant($"g|{o.Since.ToUnixTimeMilliseconds()}"),
        _ => throw new ArgumentException($"No wire form for {evt.GetType().Name}.", nameof(evt)),
    };

    /// <summary>A notification's first line: the sending instance and its sequence number.</summary>
    public static string Header(string origin, long sequence) => Invariant($"{origin}|{sequence}");

    /// <summary>
    /// A notification taken apart: its sender, its sequence number (null from a sender that gives none) and its event
    /// lines; null when it holds no events.
    /// </summary>
    public static Notification? ReadNotification(string payload)
    {
        var lines = payload.Split('\n');
        if (lines.Length < 2)
        {
            return null;
        }
        var header = lines[0].Split('|');
        long? sequence = header.Length == 2 && long.TryParse(header[1], CultureInfo.InvariantCulture, out var number) ? number : null;
        return new Notification(header[0], sequence, lines[1..]);
    }

    public static BusEvent? Read(string line)
    {
        var fields = line.Split('|', 7);
        return (fields[0], fields.Length) switch
        {
            ("m", 3) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id) => new MessageStoredEvent(fields[2], id),
            ("d", 5) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id)
                          && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var count) => new DeliveryEvent(fields[4], id, fields[3], count),
            ("i", 1) => InboxRefilledEvent.Instance,
            ("r", 2) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id) => new AnnouncedReplyEvent(id),
            ("r", 3) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id)
                          && (fields[2].Length == 0 || long.TryParse(fields[2], CultureInfo.InvariantCulture, out _)) => new AnnouncedReplyEvent(id),
            ("r", 7) => ReadCarriedReply(fields),
            ("t", 3) => new TypingEvent(fields[2], fields[1]),
            ("v", 4) when fields[1] is ReceiptEvent.Feedback or ReceiptEvent.Seen
                          && long.TryParse(fields[2], CultureInfo.InvariantCulture, out var id) => new ReceiptEvent(fields[3], id, fields[1]),
            ("c", 1) => SettingsChangedEvent.Instance,
            ("g", 2) when long.TryParse(fields[1], CultureInfo.InvariantCulture, out var ms) => new OverflowEvent(DateTimeOffset.FromUnixTimeMilliseconds(ms)),
            _ => null,
        };
    }

    private static AnnouncedReplyEvent? ReadCarriedReply(string[] fields)
    {
        if (!long.TryParse(fields[1], CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(fields[3], CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }
        long? messageId = long.TryParse(fields[2], CultureInfo.InvariantCulture, out var answered) ? answered : null;
        string? text;
        try
        {
            text = JsonSerializer.Deserialize<string>(fields[6]);
        }
        catch (JsonException)
        {
            return null;
        }
        return text is null
            ? null
            : new AnnouncedReplyEvent(id, new ReplyEvent(fields[5], new ResponseItem
            {
                Id = id, Response = text, Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), MessageId = messageId, Author = fields[4],
            }));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One notification: who sent it, its place in that sender's sequence, its events one per line.</summary>
internal sealed record Notification(string Origin, long? Sequence, IReadOnlyList<string> Lines);

/// <summary>
/// The latest ids seen, up to a capacity; the oldest are forgotten first. Its whole size is taken at the start, so it
/// does not grow (nor leave the copies of its growing on the large-object heap) as it fills.
/// </summary>
internal sealed class RecentIds(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _ids = new(capacity + 1);
    private readonly Queue<long> _order = new(capacity + 1);

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

    /// <summary>Forgets the id now; false when it was not there. Its place in the order is freed as it ages out.</summary>
    public bool Remove(long id)
    {
        lock (_lock)
        {
            return _ids.Remove(id);
        }
    }
}
