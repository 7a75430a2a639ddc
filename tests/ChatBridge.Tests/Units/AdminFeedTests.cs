using ChatBridge.Realtime;

namespace ChatBridge.Tests.Units;

/// <summary>The admin console's live list: numbered events and the cursor that continues from them.</summary>
public sealed class AdminFeedTests
{
    [Fact]
    public void Without_a_cursor_it_gives_no_events_and_the_current_place()
    {
        var feed = new AdminFeed();
        feed.Append(Message("session_a", 1));

        var page = feed.Read(null);

        Assert.Empty(page.Events);
        Assert.False(page.Reset);
        Assert.Equal(1, Parse(page.Cursor).Sequence);
    }

    [Fact]
    public void A_cursor_gives_the_events_after_it_in_order_and_the_next_cursor()
    {
        var feed = new AdminFeed();
        feed.Append(Message("session_a", 1));
        var cursor = Parse(feed.Read(null).Cursor);
        feed.Append(Message("session_a", 2));
        feed.Append(Message("session_b", 3));

        var page = feed.Read(cursor);

        Assert.Equal([2L, 3L], page.Events.Select(e => e.MessageId!.Value));
        Assert.False(page.Reset);
        var next = Parse(page.Cursor);
        Assert.Equal(cursor.Epoch, next.Epoch);
        Assert.Equal(3, next.Sequence);
        Assert.Empty(feed.Read(next).Events);
    }

    [Fact]
    public void A_fresh_feed_continues_from_its_first_cursor()
    {
        var feed = new AdminFeed();
        var cursor = Parse(feed.Read(null).Cursor);
        Assert.Equal(0, cursor.Sequence);
        Assert.Empty(feed.Read(cursor).Events);
        Assert.False(feed.Read(cursor).Reset);

        feed.Append(Message("session_a", 1));

        Assert.Equal(1, Assert.Single(feed.Read(cursor).Events).MessageId);
    }

    [Fact]
    public void After_it_starts_over_every_earlier_cursor_asks_for_a_reload_and_a_new_one_continues()
    {
        var feed = new AdminFeed();
        var empty = Parse(feed.Read(null).Cursor);
        feed.Append(Message("session_a", 1));
        var latest = Parse(feed.Read(null).Cursor);

        feed.StartOver();
        var fresh = Parse(feed.Read(null).Cursor);
        feed.Append(Message("session_a", 2));

        Assert.True(feed.Read(empty).Reset);
        Assert.True(feed.Read(latest).Reset);
        var page = feed.Read(fresh);
        Assert.False(page.Reset);
        Assert.Equal(2, Assert.Single(page.Events).MessageId);
    }

    [Fact]
    public void A_cursor_of_another_feed_or_from_the_future_asks_for_a_reload()
    {
        var feed = new AdminFeed();
        feed.Append(Message("session_a", 1));
        var cursor = Parse(feed.Read(null).Cursor);
        var other = Parse(new AdminFeed().Read(null).Cursor);

        var foreign = feed.Read(other with { Sequence = 1 });
        var future = feed.Read(cursor with { Sequence = 2 });

        Assert.True(foreign.Reset);
        Assert.Empty(foreign.Events);
        Assert.True(future.Reset);
        Assert.Equal(cursor.ToString(), future.Cursor);
    }

    [Fact]
    public void A_cursor_that_fell_further_behind_than_the_feed_keeps_asks_for_a_reload()
    {
        var feed = new AdminFeed();
        var start = Parse(feed.Read(null).Cursor);
        for (var i = 1; i <= AdminFeed.Capacity; i++)
        {
            feed.Append(Message("session_a", i));
        }
        Assert.Equal(AdminFeed.Capacity, feed.Read(start).Events.Count);

        feed.Append(Message("session_a", AdminFeed.Capacity + 1));
        var behind = feed.Read(start);
        var justKept = feed.Read(start with { Sequence = 1 });

        Assert.True(behind.Reset);
        Assert.Empty(behind.Events);
        Assert.False(justKept.Reset);
        Assert.Equal(Enumerable.Range(2, AdminFeed.Capacity).Select(i => (long)i), justKept.Events.Select(e => e.MessageId!.Value));
    }

    [Theory]
    [InlineData("0a1b2c3d-0", "0a1b2c3d", 0)]
    [InlineData("ABC-123", "ABC", 123)]
    [InlineData("e-9223372036854775807", "e", long.MaxValue)]
    public void A_cursor_reads_back_as_written(string text, string epoch, long sequence)
    {
        Assert.True(AdminCursor.TryParse(text, out var cursor));

        Assert.Equal(new AdminCursor(epoch, sequence), cursor);
        Assert.Equal(text, cursor!.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("x-y")]
    [InlineData("abc-")]
    [InlineData("abc--1")]
    [InlineData("abc-+1")]
    [InlineData("abc-1 ")]
    [InlineData("ab_c-1")]
    [InlineData("abc-9223372036854775808")]
    [InlineData("0123456789abcdef0123456789abcdef0-1")]
    public void A_malformed_cursor_is_refused(string text)
    {
        Assert.False(AdminCursor.TryParse(text, out var cursor));
        Assert.Null(cursor);
    }

    [Fact]
    public void An_epoch_of_32_characters_is_the_longest_read()
    {
        Assert.True(AdminCursor.TryParse("0123456789abcdef0123456789abcdef-1", out _));
    }

    private static AdminEvent Message(string sessionId, long id) => new("message", sessionId, MessageId: id);

    private static AdminCursor Parse(string text)
    {
        Assert.True(AdminCursor.TryParse(text, out var cursor));
        return cursor!;
    }
}
