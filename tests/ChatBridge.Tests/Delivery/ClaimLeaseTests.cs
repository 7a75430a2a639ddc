using System.Text.Json;
using ChatBridge.Tests.Realtime;

namespace ChatBridge.Tests.Delivery;

/// <summary>
/// Inbox claims are leases: what Broca drops comes back, what it answers never does. The host's clock moves only when
/// a test moves it, so a lease never lapses while a loaded machine is slow, and always lapses when the test says.
/// </summary>
public sealed class ClaimLeaseTests
{
    [Fact]
    public async Task A_claim_that_lapses_unanswered_is_handed_out_again_with_the_same_fields_byte_for_byte()
    {
        using var app = Leases.App();
        await (await app.Anonymous().PostMessageAsync("session_lease_again", "are you there?")).DataAsync();
        var broca = app.Broca();

        var first = Assert.Single(await broca.ClaimAsync());
        Assert.Empty(await broca.ClaimAsync());
        var waiting = broca.ClaimAsync(wait: 30);
        await app.LapseUntilAsync(() => waiting.IsCompleted, "the waiting poll handed the lapsed claim");
        var again = Assert.Single(await waiting);

        foreach (var field in new[] { "id", "session_id", "message", "timestamp", "uid" })
        {
            Assert.Equal(first.GetProperty(field).GetRawText(), again.GetProperty(field).GetRawText());
        }
        Assert.Equal(2, (await app.AdminViewAsync("session_lease_again", first.Id())).GetProperty("delivery_count").GetInt32());
    }

    [Fact]
    public async Task A_lapsed_claim_comes_back_before_newer_messages()
    {
        using var app = Leases.App();
        await app.Anonymous().PostMessageAsync("session_lease_order_a", "older");
        var broca = app.Broca();
        var older = Assert.Single(await broca.ClaimAsync());
        await app.Anonymous().PostMessageAsync("session_lease_order_b", "newer");

        await app.LapseUntilAsync(async () => await app.HistoryStatusAsync("session_lease_order_a", older.Id()) == "pending", "the older message pending again");
        var next = Assert.Single(await broca.ClaimAsync(limit: 1));

        Assert.Equal(older.Id(), next.Id());
        Assert.Equal("newer", Assert.Single(await broca.ClaimAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_answered_message_is_never_handed_out_again()
    {
        using var app = Leases.App();
        await app.Anonymous().PostMessageAsync("session_lease_answered", "question");
        var broca = app.Broca();
        var claimed = Assert.Single(await broca.ClaimAsync());
        await (await broca.PostReplyAsync("session_lease_answered", "answer")).DataAsync();

        app.Time.Advance(Leases.Lease * 4);
        await app.SweepAsync();

        Assert.Empty(await broca.ClaimAsync());
        var view = await app.AdminViewAsync("session_lease_answered", claimed.Id());
        Assert.Equal("answered", view.GetProperty("status").GetString());
        Assert.Equal(1, view.GetProperty("delivery_count").GetInt32());
        Assert.False(view.GetProperty("exhausted").GetBoolean());
    }

    [Fact]
    public async Task A_reply_that_arrives_after_the_lease_lapsed_still_answers_the_message_and_stops_redelivery()
    {
        using var app = Leases.App();
        await app.Anonymous().PostMessageAsync("session_lease_late", "slow question");
        var broca = app.Broca();
        var claimed = Assert.Single(await broca.ClaimAsync());
        await app.LapseUntilAsync(async () => await app.HistoryStatusAsync("session_lease_late", claimed.Id()) == "pending", "the claim lapsed");

        var reply = await (await broca.PostReplyAsync("session_lease_late", "slow answer")).DataAsync();

        Assert.Equal(claimed.Id(), reply.GetProperty("message_id").GetInt64());
        Assert.Equal("answered", await app.HistoryStatusAsync("session_lease_late", claimed.Id()));
        app.Time.Advance(Leases.Lease * 3);
        await app.SweepAsync();
        Assert.Empty(await broca.ClaimAsync());
    }

    [Fact]
    public async Task A_message_pollers_keep_dropping_without_working_on_comes_back_every_time_and_is_never_stuck()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);
        var posted = await (await app.Anonymous().PostMessageAsync("session_lease_dropped", "dropped by every poller")).DataAsync();
        var id = posted.GetProperty("message_id").GetInt64();
        var broca = app.Broca();

        // Twice the default MaxDeliveries: pollers that die (or throw their claim away) cost the message nothing.
        for (var delivery = 1; delivery <= 6; delivery++)
        {
            Assert.Equal(id, Assert.Single(await broca.ClaimAsync()).Id());
            time.Advance(new ChatBridge.Configuration.InboxOptions().ClaimTimeout);
            await app.SweepAsync();
        }

        var view = await app.AdminViewAsync("session_lease_dropped", id);
        Assert.Equal(6, view.GetProperty("delivery_count").GetInt32());
        Assert.Equal(0, view.GetProperty("strikes").GetInt32());
        Assert.False(view.GetProperty("exhausted").GetBoolean());
        Assert.Equal("pending", view.GetProperty("status").GetString());
        // A slow agent's reply still answers it.
        await (await broca.PostReplyAsync("session_lease_dropped", "sorry for the wait")).DataAsync();
        Assert.Equal("answered", (await app.AdminViewAsync("session_lease_dropped", id)).GetProperty("status").GetString());
        Assert.Empty(await broca.ClaimAsync());
    }

    [Fact]
    public async Task The_session_socket_hears_a_lapsed_claim_go_back_to_pending_and_then_delivered_again()
    {
        using var app = Leases.App();
        await using var socket = await EventSocket.ConnectAsync(app, "session_lease_socket");
        var posted = await (await app.Anonymous().PostMessageAsync("session_lease_socket", "hello")).DataAsync();
        var id = posted.GetProperty("message_id").GetInt64();
        var broca = app.Broca();

        await broca.ClaimAsync();
        AssertStatus(await socket.NextAsync("status"), id, "delivered", 1);
        var lapsed = socket.NextAsync("status");
        await app.LapseUntilAsync(() => lapsed.IsCompleted, "the socket told of the lapse");
        AssertStatus(await lapsed, id, "pending", 1);
        await broca.ClaimAsync();
        AssertStatus(await socket.NextAsync("status"), id, "delivered", 2);
    }

    private static void AssertStatus(JsonElement data, long messageId, string status, int deliveryCount)
    {
        Assert.Equal(messageId, data.GetProperty("message_id").GetInt64());
        Assert.Equal(status, data.GetProperty("status").GetString());
        Assert.Equal(deliveryCount, data.GetProperty("delivery_count").GetInt32());
    }
}
