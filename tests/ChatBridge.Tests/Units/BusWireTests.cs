using ChatBridge.Events;
using ChatBridge.Realtime;
using ChatBridge.Storage.Postgres;

namespace ChatBridge.Tests.Units;

/// <summary>The lines instances on one PostgreSQL database tell each other events in (<see cref="BusWire"/>).</summary>
public sealed class BusWireTests
{
    private static readonly Dictionary<string, BusEvent> Samples = new()
    {
        ["message"] = new MessageStoredEvent("session_a1", 42),
        ["delivered"] = new DeliveryEvent("session_a1", 42, MessageStatus.Delivered, 1),
        ["pending"] = new DeliveryEvent("session_b_2", long.MaxValue, MessageStatus.Pending, 3),
        ["exhausted"] = new DeliveryEvent("session_b_2", 7, AdminEventStatus.Exhausted, 5),
        ["refilled"] = InboxRefilledEvent.Instance,
        ["typing start"] = new TypingEvent("session_a1", TypingState.Start),
        ["typing stop"] = new TypingEvent("session_a1", TypingState.Stop),
        ["settings"] = SettingsChangedEvent.Instance,
        ["rated"] = new ReceiptEvent("session_a1", 9001, ReceiptEvent.Feedback),
        ["seen"] = new ReceiptEvent("session_b_2", 7, ReceiptEvent.Seen),
    };

    public static TheoryData<string> Kinds() => [.. Samples.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_event_but_a_reply_reads_back_as_written(string kind)
    {
        var evt = Samples[kind];
        var line = BusWire.Write(evt);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(evt, BusWire.Read(line));
    }

    [Fact]
    public void A_reply_travels_as_its_id_alone()
    {
        var reply = new ReplyEvent("session_a1", new ResponseItem { Id = 9001, Response = "a long text | with\nlines", MessageId = 42 });

        var line = BusWire.Write(reply);

        Assert.Equal("r|9001", line);
        Assert.Equal(new AnnouncedReplyEvent(9001), BusWire.Read(line));
    }

    [Theory]
    [InlineData("plain words")]
    [InlineData("a | b\nc\r\n\"quoted\" \\ and \u00e9\u4e2d\U0001F600 </script>")]
    [InlineData("")]
    public void A_reply_its_statement_carries_reads_back_whole_on_one_line(string text)
    {
        var stamp = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);

        var line = "r|9001|42" + BusWire.CarriedReply("session_a1", text, stamp, ReplyAuthor.Admin, room: 7000);

        Assert.DoesNotContain('\n', line);
        var announced = Assert.IsType<AnnouncedReplyEvent>(BusWire.Read(line));
        Assert.Equal(9001, announced.ResponseId);
        var read = Assert.IsType<ReplyEvent>(announced.Carried);
        Assert.Equal("session_a1", read.SessionId);
        Assert.Equal(new ResponseItem { Id = 9001, Response = text, Timestamp = stamp, MessageId = 42, Author = ReplyAuthor.Admin }, read.Response);
    }

    [Fact]
    public void A_carried_reply_that_answers_no_message_reads_back_without_one()
    {
        var line = "r|9001|" + BusWire.CarriedReply("session_a1", "hello", DateTimeOffset.UnixEpoch, ReplyAuthor.Agent, room: 7000);

        Assert.Null(Assert.IsType<AnnouncedReplyEvent>(BusWire.Read(line)).Carried!.Response.MessageId);
    }

    [Fact]
    public void A_reply_too_long_for_its_room_is_not_carried_and_reads_back_as_its_id()
    {
        var carried = BusWire.CarriedReply("session_a1", new string('\u00e9', 3000), DateTimeOffset.UnixEpoch, ReplyAuthor.Agent, room: 6000);

        Assert.Equal("", carried);
        Assert.Equal(new AnnouncedReplyEvent(9001), BusWire.Read("r|9001|42" + carried));
    }

    [Fact]
    public void An_event_without_a_wire_form_is_refused_when_written()
    {
        Assert.Throws<ArgumentException>(() => BusWire.Write(new AnnouncedReplyEvent(1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("|")]
    [InlineData("x|1|session_a")]
    [InlineData("m")]
    [InlineData("m|1")]
    [InlineData("m|one|session_a")]
    [InlineData("m|1|session_a|extra")]
    [InlineData("d|1|1|pending")]
    [InlineData("d|x|1|pending|session_a")]
    [InlineData("d|1|one|pending|session_a")]
    [InlineData("d|1|99999999999|pending|session_a")]
    [InlineData("i|1")]
    [InlineData("r")]
    [InlineData("r|9001|42|1765000000123|agent|session_a|not json")]
    [InlineData("r|9001|42|soon|agent|session_a|\"text\"")]
    [InlineData("r|9001|42|1765000000123|agent|session_a|null")]
    [InlineData("r|")]
    [InlineData("r|1.5")]
    [InlineData("r|1|x")]
    [InlineData("t|start")]
    [InlineData("t|start|session_a|x")]
    [InlineData("v|liked|1|session_a")]
    [InlineData("v|seen|one|session_a")]
    [InlineData("v|seen|1")]
    [InlineData("c|")]
    [InlineData("M|1|session_a")]
    public void A_malformed_line_reads_as_nothing(string line)
    {
        Assert.Null(BusWire.Read(line));
    }

    [Fact]
    public void A_notification_gives_its_lines_after_the_sender_line()
    {
        var notification = BusWire.ReadNotification("other|3\nm|1|session_a\ni");

        Assert.NotNull(notification);
        Assert.Equal("other", notification.Origin);
        Assert.Equal(["m|1|session_a", "i"], notification.Lines);
    }

    [Theory]
    [InlineData("other")]
    [InlineData("")]
    public void A_notification_without_events_gives_nothing(string payload)
    {
        Assert.Null(BusWire.ReadNotification(payload));
    }
}
