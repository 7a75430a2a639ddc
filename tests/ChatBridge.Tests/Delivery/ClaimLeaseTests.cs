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
    public async Task A_message_is_handed_out_at_most_MaxDeliveries_times_and_then_shown_to_the_admin_as_exhausted()
    {
        using var app = Leases.App(maxDeliveries: 2);
        var posted = await (await app.Anonymous().PostMessageAsync("session_lease_exhausted", "nobody answers")).DataAsync();
        var id = posted.GetProperty("message_id").GetInt64();
        var broca = app.Broca();

        Assert.Equal(id, Assert.Single(await broca.ClaimAsync()).Id());
        List<JsonElement> again = [];
        await app.LapseUntilAsync(async () => (again = await broca.ClaimAsync()).Count > 0, "the message handed out again");
        Assert.Equal(id, Assert.Single(again).Id());
        await app.LapseUntilAsync(
            async () => (await app.AdminViewAsync("session_lease_exhausted", id)).GetProperty("exhausted").GetBoolean(), "the message exhausted");

        app.Time.Advance(Leases.Lease * 3);
        await app.SweepAsync();
        Assert.Empty(await broca.ClaimAsync());
        var view = await app.AdminViewAsync("session_lease_exhausted", id);
        Assert.True(view.GetProperty("exhausted").GetBoolean());
        Assert.Equal("delivered", view.GetProperty("status").GetString());
        Assert.Equal(2, view.GetProperty("delivery_count").GetInt32());
        var sessions = await (await app.Admin().GetAsync("/api/v1/?action=sessions")).DataAsync();
        var session = sessions.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "session_lease_exhausted");
        Assert.Equal(1, session.GetProperty("exhausted_count").GetInt32());
        var history = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_lease_exhausted")).DataAsync();
        Assert.Equal("delivered", history.GetProperty("messages")[0].GetProperty("status").GetString());
        var warning = $"[WRN] Message {id} of session_lease_exhausted was handed out 2 times without an answer";
        Assert.Contains(warning, await app.ReadLogsAsync(warning), StringComparison.Ordinal);

        // A person (or a very slow agent) may still answer it; then it is simply answered.
        await (await broca.PostReplyAsync("session_lease_exhausted", "sorry for the wait")).DataAsync();
        Assert.False((await app.AdminViewAsync("session_lease_exhausted", id)).GetProperty("exhausted").GetBoolean());
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
