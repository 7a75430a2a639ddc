using ChatBridge.Events;
using ChatBridge.Storage.Postgres;

namespace ChatBridge.Tests.Units;

/// <summary>
/// Which announced replies the listener delivers at once and which queue for the bus's reader (<see cref="AnnouncedReplies"/>):
/// replies reach the sockets in the order they were announced, whichever path each takes.
/// </summary>
public sealed class AnnouncedRepliesTests
{
    private readonly AnnouncedReplies _replies = new(capacity: 3);

    [Fact]
    public void A_reply_that_came_whole_with_none_waiting_is_delivered_at_once()
    {
        Assert.Equal(AnnouncedReply.DeliverNow, _replies.Add(Carried(1)));
        Assert.Equal(AnnouncedReply.DeliverNow, _replies.Add(Carried(2)));
        Assert.Empty(Take());
    }

    [Fact]
    public void Replies_behind_one_known_by_id_queue_until_the_reader_has_handled_it()
    {
        Assert.Equal(AnnouncedReply.Queued, _replies.Add(ById(1)));
        Assert.Equal(AnnouncedReply.Queued, _replies.Add(Carried(2)));

        var taken = Take();
        Assert.Equal([1L, 2L], taken.Select(reply => reply.ResponseId));
        // Taken but not yet delivered (its row still being read): a reply now would overtake them.
        Assert.Equal(AnnouncedReply.Queued, _replies.Add(Carried(3)));
        _replies.Handled(taken.Count);
        Assert.Equal(AnnouncedReply.Queued, _replies.Add(Carried(4)));

        var next = Take();
        Assert.Equal([3L, 4L], next.Select(reply => reply.ResponseId));
        _replies.Handled(next.Count);
        Assert.Equal(AnnouncedReply.DeliverNow, _replies.Add(Carried(5)));
    }

    [Fact]
    public void A_full_queue_leaves_the_reply_to_a_catch_up_and_does_not_count_it_as_waiting()
    {
        foreach (var id in new long[] { 1, 2, 3 })
        {
            Assert.Equal(AnnouncedReply.Queued, _replies.Add(ById(id)));
        }
        Assert.Equal(AnnouncedReply.QueueFull, _replies.Add(ById(4)));
        Assert.Equal(AnnouncedReply.QueueFull, _replies.Add(Carried(5)));

        var taken = Take();
        Assert.Equal([1L, 2L, 3L], taken.Select(reply => reply.ResponseId));
        _replies.Handled(taken.Count);
        Assert.Equal(AnnouncedReply.DeliverNow, _replies.Add(Carried(6)));
    }

    private List<AnnouncedReplyEvent> Take()
    {
        List<AnnouncedReplyEvent> taken = [];
        _replies.Take(taken, max: 10);
        return taken;
    }

    private static AnnouncedReplyEvent ById(long id) => new(id);

    private static AnnouncedReplyEvent Carried(long id) =>
        new(id, new ReplyEvent("session_a1", new ResponseItem { Id = id, Response = $"reply {id}", Timestamp = DateTimeOffset.UnixEpoch }));
}
