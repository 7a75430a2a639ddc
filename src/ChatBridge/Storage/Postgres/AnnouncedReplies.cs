using System.Threading.Channels;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// The replies other instances announce, in the order they were announced. One that came whole in its notification is
/// delivered by the listener at once when none announced before it is still waiting: no hop to the bus's reader, and
/// no wait for a core that hop can cost on a busy machine. The others, and every reply behind one of them, queue for
/// the reader, which reads those known only by id in batches. A reply counts as waiting from when it is queued until
/// the reader has handled it (delivered it, or left it to a catch-up read).
/// </summary>
internal sealed class AnnouncedReplies(int capacity)
{
    private readonly Channel<AnnouncedReplyEvent> _queue = Channel.CreateBounded<AnnouncedReplyEvent>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private int _waiting;

    /// <summary>What the listener does with <paramref name="reply"/>; called by the listener alone, one reply at a time.</summary>
    public AnnouncedReply Add(AnnouncedReplyEvent reply)
    {
        if (reply.Carried is not null && Volatile.Read(ref _waiting) == 0)
        {
            return AnnouncedReply.DeliverNow;
        }
        Interlocked.Increment(ref _waiting);
        if (_queue.Writer.TryWrite(reply))
        {
            return AnnouncedReply.Queued;
        }
        Interlocked.Decrement(ref _waiting);
        return AnnouncedReply.QueueFull;
    }

    public ValueTask<bool> WaitToTakeAsync(CancellationToken ct) => _queue.Reader.WaitToReadAsync(ct);

    /// <summary>Moves up to <paramref name="max"/> queued replies, oldest first, into <paramref name="taken"/>; they still wait until <see cref="Handled"/>.</summary>
    public void Take(List<AnnouncedReplyEvent> taken, int max)
    {
        while (taken.Count < max && _queue.Reader.TryRead(out var reply))
        {
            taken.Add(reply);
        }
    }

    /// <summary>The reader is done with <paramref name="count"/> replies it took.</summary>
    public void Handled(int count) => Interlocked.Add(ref _waiting, -count);
}

internal enum AnnouncedReply
{
    /// <summary>It came whole and nothing waits before it: the listener delivers it.</summary>
    DeliverNow,

    /// <summary>Queued for the reader, behind those announced before it.</summary>
    Queued,

    /// <summary>The queue is full: it is read by a catch-up instead.</summary>
    QueueFull,
}
