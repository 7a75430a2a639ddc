using ChatBridge.Events;
using ChatBridge.Storage.Postgres;

namespace ChatBridge.Tests.Units;

/// <summary>How an instance notices what it missed from another: sequence gaps, overflow notices, merged catch-ups.</summary>
public sealed class BusPositionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sender_heard_in_order_has_no_gap_and_a_skipped_number_is_a_gap_since_the_last_heard()
    {
        var senders = new SenderPositions();

        Assert.Null(senders.Heard("a", 7, Start));
        Assert.Null(senders.Heard("a", 8, Start.AddSeconds(1)));
        Assert.Null(senders.Heard("b", 1, Start.AddSeconds(1)));
        Assert.Equal(Start.AddSeconds(1), senders.Heard("a", 10, Start.AddSeconds(5)));
        Assert.Null(senders.Heard("a", 11, Start.AddSeconds(6)));
    }

    [Fact]
    public void Past_the_most_senders_remembered_the_longest_silent_is_forgotten()
    {
        var senders = new SenderPositions();
        for (var i = 0; i <= SenderPositions.MaxSenders; i++)
        {
            senders.Heard($"sender{i}", 1, Start.AddSeconds(i));
        }

        // sender0 was forgotten, so heard again it is new (no gap; sender1 now makes room); sender2 is remembered: a gap.
        Assert.Null(senders.Heard("sender0", 5, Start.AddHours(1)));
        Assert.Equal(Start.AddSeconds(2), senders.Heard("sender2", 5, Start.AddHours(1)));
    }

    [Fact]
    public void A_sender_that_gives_no_number_never_makes_a_gap()
    {
        var senders = new SenderPositions();

        Assert.Null(senders.Heard("old", null, Start));
        Assert.Null(senders.Heard("old", null, Start.AddSeconds(1)));
    }

    [Fact]
    public async Task Catch_up_requests_made_before_one_is_taken_merge_into_the_earliest()
    {
        var requests = new CatchUpRequests();
        requests.Request(Start.AddSeconds(5));
        requests.Request(Start);
        requests.Request(Start.AddSeconds(9));

        Assert.Equal(Start, await requests.NextAsync(CancellationToken.None));
        requests.Request(Start.AddSeconds(20));
        Assert.Equal(Start.AddSeconds(20), await requests.NextAsync(CancellationToken.None));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.Null(await requests.NextAsync(stop.Token));
    }

    [Fact]
    public void A_notification_carries_its_sender_its_number_and_its_lines_and_an_overflow_notice_round_trips()
    {
        var overflow = BusWire.Write(new OverflowEvent(Start));
        var payload = $"{BusWire.Header("abc123", 42)}\n{overflow}\n{BusWire.Write(InboxRefilledEvent.Instance)}";

        var notification = BusWire.ReadNotification(payload);

        Assert.NotNull(notification);
        Assert.Equal("abc123", notification.Origin);
        Assert.Equal(42, notification.Sequence);
        Assert.Equal(new OverflowEvent(Start), BusWire.Read(notification.Lines[0]));
        Assert.Same(InboxRefilledEvent.Instance, BusWire.Read(notification.Lines[1]));
        Assert.Null(BusWire.ReadNotification("abc123|43"));
        Assert.Null(BusWire.ReadNotification($"older\n{overflow}")!.Sequence);
    }
}
