using ChatBridge.Chat;
using ChatBridge.Data;

namespace ChatBridge.Storage;

/// <summary>
/// What an engine writes its own way. The stores in this folder hold every rule once and take from here only the SQL
/// text that differs between SQLite and PostgreSQL, and the writes whose statements differ: a message, and on
/// PostgreSQL the usual message and the usual reply as one statement each.
/// </summary>
internal interface ISqlDialect
{
    /// <summary>The engine's ASCII-case-insensitive <c>LIKE</c>.</summary>
    string CaseInsensitiveLike { get; }

    /// <summary>
    /// Claims up to <c>@limit</c> claimable messages (<see cref="ChatSql.Claimable"/>) after <c>@offset</c>, oldest first, as
    /// leases until <c>@expires</c> held by <c>@poller</c>, each exactly once however many pollers ask at once; returns
    /// <see cref="ChatSql.ClaimedColumns"/>.
    /// </summary>
    string ClaimMessages { get; }

    /// <summary>Deletes every chat row and the counters that go with them.</summary>
    string DeleteAllChatData { get; }

    /// <summary>The hour (<c>2026-11-24T10</c>) and day (<c>2026-11-24</c>) a point in time falls in, as text, in UTC.</summary>
    string HourOf(string column);

    string DayOf(string column);

    /// <summary>Seconds from <paramref name="from"/> to <paramref name="to"/>, two points in time, as a floating number.</summary>
    string SecondsBetween(string from, string to);

    /// <summary>
    /// The texts of a JSON array bound as one text parameter, as a one-column table for <c>IN (…)</c>: the statement's
    /// text stays the same however long the list, so it stays prepared.
    /// </summary>
    string TextsOfJsonArray(string parameter);

    /// <summary>
    /// Stores a user's message, creating its session on first use, keeping it active and on the message's agent. The
    /// hottest write there is, so each engine writes it in as few statements as it can.
    /// </summary>
    Task<StoredMessage> StoreMessageAsync(ISqlSession sql, NewMessage message, string newUid, DateTimeOffset now);

    /// <summary>
    /// Where every commit is a round trip of its own (PostgreSQL), the usual message (no attachments; a new session, or
    /// one that answers to the caller's token or owner; no retry) stored by one statement without a transaction. Null
    /// when the message is not the usual one, with nothing written: <see cref="StoreMessageAsync"/> then decides in a
    /// transaction. Always null where a transaction costs no more (SQLite's writer runs in this process).
    /// </summary>
    Task<Written<StoredMessage>?> TryStoreUsualMessageAsync(IDatabase db, NewMessage message, string newUid, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Likewise for a reply: the usual one (to a session of the key's agent, naming a message of that session or none)
    /// stored, linked and its message marked answered by one statement without a transaction. Null when it is not the
    /// usual one, with nothing written, for <see cref="ReplyStore"/>'s transaction to decide; always null on SQLite.
    /// </summary>
    Task<Written<StoredResponse>?> TryStoreUsualReplyAsync(IDatabase db, NewResponse response, string responseKey, DateTimeOffset now, CancellationToken ct);
}
