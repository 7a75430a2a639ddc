using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace ChatBridge.Realtime;

/// <summary>
/// What changed across all sessions, numbered, for the admin console's long poll (<c>admin_events</c>). It keeps the
/// latest <see cref="Capacity"/> events in memory: a console that fell further behind, or whose cursor comes from before a
/// restart (another epoch), is told to reload everything instead of being handed a partial list.
/// </summary>
internal sealed class AdminFeed
{
    public const int Capacity = 1024;

    private readonly Lock _lock = new();
    private readonly Queue<(long Sequence, AdminEvent Event)> _recent = new();
    private readonly string _epoch = RandomNumberGenerator.GetHexString(8, lowercase: true);
    private long _sequence;

    public void Append(AdminEvent evt)
    {
        lock (_lock)
        {
            _sequence++;
            _recent.Enqueue((_sequence, evt));
            if (_recent.Count > Capacity)
            {
                _recent.Dequeue();
            }
        }
    }

    /// <summary>
    /// Forgets the kept events and moves the numbering on, so that every cursor handed out so far answers
    /// <see cref="AdminEventPage.Reset"/>: for when this instance may have missed events it could not list.
    /// </summary>
    public void StartOver()
    {
        lock (_lock)
        {
            _recent.Clear();
            _sequence++;
        }
    }

    /// <summary>
    /// The events after <paramref name="cursor"/>; none (just the current cursor) when it is null, so a console starts
    /// from now. A cursor this feed cannot continue from answers <see cref="AdminEventPage.Reset"/>.
    /// </summary>
    public AdminEventPage Read(AdminCursor? cursor)
    {
        lock (_lock)
        {
            var current = new AdminCursor(_epoch, _sequence).ToString();
            if (cursor is null)
            {
                return new AdminEventPage([], current, Reset: false);
            }
            var oldestKept = _recent.Count > 0 ? _recent.Peek().Sequence : _sequence + 1;
            if (cursor.Epoch != _epoch || cursor.Sequence > _sequence || cursor.Sequence < oldestKept - 1)
            {
                return new AdminEventPage([], current, Reset: true);
            }
            return new AdminEventPage([.. _recent.Where(e => e.Sequence > cursor.Sequence).Select(e => e.Event)], current, Reset: false);
        }
    }
}

/// <summary>A place in the feed, as <c>EPOCH-SEQUENCE</c>: the epoch tells this process's numbering from a previous one's.</summary>
internal sealed record AdminCursor(string Epoch, long Sequence)
{
    public override string ToString() => $"{Epoch}-{Sequence.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string text, out AdminCursor? cursor)
    {
        cursor = null;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash > 32
            || !text[..dash].All(char.IsAsciiLetterOrDigit)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }
        cursor = new AdminCursor(text[..dash], sequence);
        return true;
    }
}

/// <summary>
/// One change the console may want to show: a user's <c>message</c>, a <c>response</c> (with its <c>author</c>), or a
/// delivery <c>status</c>. It names what changed; the console reads the rows it shows through the admin actions.
/// </summary>
internal sealed record AdminEvent(
    string Type,
    string SessionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MessageId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ResponseId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Author = null);

/// <summary><c>admin_events</c>' answer: the events after the caller's cursor, the cursor to send next, and whether to reload instead.</summary>
internal sealed record AdminEventPage(IReadOnlyList<AdminEvent> Events, string Cursor, bool Reset);

/// <summary>A status only the admin feed reports: the message is stuck (see <c>docs/DELIVERY.md</c>); the chat page need not know.</summary>
internal static class AdminEventStatus
{
    public const string Exhausted = "exhausted";
}
