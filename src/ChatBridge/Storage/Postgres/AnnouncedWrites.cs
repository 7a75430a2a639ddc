using System.Security.Cryptography;
using ChatBridge.Chat;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// This instance's name on the bus, and the usual replies announced to the other instances by the statement that stored
/// them: a <c>NOTIFY</c> in the reply's own transaction reaches the other instances as it commits, a round trip (the
/// bus's sender, then its own <c>NOTIFY</c>) sooner, and it cannot go missing while the reply is kept. The bus leaves
/// those replies out of its own notifications.
/// </summary>
internal sealed class AnnouncedWrites
{
    /// <summary>Replies remembered at most between their statement and their publishing, which follows at once.</summary>
    private const int Capacity = 4096;

    /// <summary>The reply's id and its message's, with the separator between them, at their longest.</summary>
    private const int IdsRoom = 2 * 20 + 1;

    private readonly RecentIds _replies = new(Capacity);

    public AnnouncedWrites()
    {
        Origin = RandomNumberGenerator.GetHexString(12, lowercase: true);
        ReplyPrefix = $"{Origin}\nr|";
    }

    /// <summary>The name every notification of this instance carries, so that it ignores its own.</summary>
    public string Origin { get; }

    /// <summary>
    /// A reply's notification up to its id, which the statement appends with the message it answers: this instance
    /// without a sequence number (the notification commits with its reply, so there is none to miss), then the reply's line.
    /// </summary>
    public string ReplyPrefix { get; }

    /// <summary>
    /// What the statement appends after the answered message's id: the reply itself, so the other instances push it
    /// without reading it, or nothing when it would not fit (they read it then).
    /// </summary>
    public string CarriedReply(NewResponse response, DateTimeOffset now) => BusWire.CarriedReply(
        response.SessionId, response.Text, now, response.Author, room: PostgresBus.MaxPayloadBytes - ReplyPrefix.Length - IdsRoom);

    public void ReplyAnnounced(long id) => _replies.Add(id);

    /// <summary>Whether the reply's own statement announced it (answered once: the bus asks as it publishes the reply).</summary>
    public bool TakeAnnouncedReply(long id) => _replies.Remove(id);
}
