using System.Text.Json;
using ChatBridge.Tests.Realtime;

namespace ChatBridge.Tests.Delivery;

/// <summary>Inbox claims are leases: what Broca drops comes back, what it answers never does.</summary>
public sealed class ClaimLeaseTests
{
    // Long enough that a loaded machine answers two requests within it; a test still watches it lapse in about a second.
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_claim_that_lapses_unanswered_is_handed_out_again_with_the_same_fields_byte_for_byte()
    {
        using var app = Leases.App(ShortLease);
        await (await app.Anonymous().PostMessageAsync("session_lease_again", "are you there?")).DataAsync();
        var broca = app.Broca();

        var first = Assert.Single(await broca.ClaimAsync());
        Assert.Empty(await broca.ClaimAsync());
        var again = Assert.Single(await broca.ClaimAsync(wait: 10));

        foreach (var field in new[] { "id", "session_id", "message", "timestamp", "uid" })
        {
            Assert.Equal(first.GetProperty(field).GetRawText(), again.GetProperty(field).GetRawText());
        }
        Assert.Equal(2, (await app.AdminViewAsync("session_lease_again", first.Id())).GetProperty("delivery_count").GetInt32());
    }

    [Fact]
    public async Task A_lapsed_claim_comes_back_before_newer_messages()
    {
        using var app = Leases.App(ShortLease);
        await app.Anonymous().PostMessageAsync("session_lease_order_a", "older");
        var broca = app.Broca();
        var older = Assert.Single(await broca.ClaimAsync());
        await app.Anonymous().PostMessageAsync("session_lease_order_b", "newer");

        await app.WaitForHistoryStatusAsync("session_lease_order_a", older.Id(), "pending");
        var next = Assert.Single(await broca.ClaimAsync(limit: 1));

        Assert.Equal(older.Id(), next.Id());
        Assert.Equal("newer", Assert.Single(await broca.ClaimAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_answered_message_is_never_handed_out_again()
    {
        using var app = Leases.App(ShortLease);
        await app.Anonymous().PostMessageAsync("session_lease_answered", "question");
        var broca = app.Broca();
        var claimed = Assert.Single(await broca.ClaimAsync());
        await (await broca.PostReplyAsync("session_lease_answered", "answer")).DataAsync();

        await Task.Delay(ShortLease * 4);

        Assert.Empty(await broca.ClaimAsync(wait: 1));
        var view = await app.AdminViewAsync("session_lease_answered", claimed.Id());
        Assert.Equal("answered", view.GetProperty("status").GetString());
        Assert.Equal(1, view.GetProperty("delivery_count").GetInt32());
        Assert.False(view.GetProperty("exhausted").GetBoolean());
    }

    [Fact]
    public async Task A_reply_that_arrives_after_the_lease_lapsed_still_answers_the_message_and_stops_redelivery()
    {
        using var app = Leases.App(ShortLease);
        await app.Anonymous().PostMessageAsync("session_lease_late", "slow question");
        var broca = app.Broca();
        var claimed = Assert.Single(await broca.ClaimAsync());
        await app.WaitForHistoryStatusAsync("session_lease_late", claimed.Id(), "pending");

        var reply = await (await broca.PostReplyAsync("session_lease_late", "slow answer")).DataAsync();

        Assert.Equal(claimed.Id(), reply.GetProperty("message_id").GetInt64());
        await app.WaitForHistoryStatusAsync("session_lease_late", claimed.Id(), "answered");
        await Task.Delay(ShortLease * 3);
        Assert.Empty(await broca.ClaimAsync(wait: 1));
    }

    [Fact]
    public async Task A_message_is_handed_out_at_most_MaxDeliveries_times_and_then_shown_to_the_admin_as_exhausted()
    {
        using var app = Leases.App(TimeSpan.FromMilliseconds(300), maxDeliveries: 2);
        var posted = await (await app.Anonymous().PostMessageAsync("session_lease_exhausted", "nobody answers")).DataAsync();
        var id = posted.GetProperty("message_id").GetInt64();
        var broca = app.Broca();

        Assert.Equal(id, Assert.Single(await broca.ClaimAsync()).Id());
        Assert.Equal(id, Assert.Single(await broca.ClaimAsync(wait: 10)).Id());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await app.AdminViewAsync("session_lease_exhausted", id)).GetProperty("exhausted").GetBoolean() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Empty(await broca.ClaimAsync(wait: 1));
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
        using var app = Leases.App(ShortLease);
        await using var socket = await EventSocket.ConnectAsync(app, "session_lease_socket");
        var posted = await (await app.Anonymous().PostMessageAsync("session_lease_socket", "hello")).DataAsync();
        var id = posted.GetProperty("message_id").GetInt64();
        var broca = app.Broca();

        await broca.ClaimAsync();
        // The claim's own event may reach the hub after the sweep's when the lease is this short: delivery_count
        // orders them (delivered by hand-out 1, then pending after it), which is what a client goes by.
        var lapsed = new[] { await socket.NextAsync("status"), await socket.NextAsync("status") }
            .OrderBy(e => e.GetProperty("status").GetString() == "pending").ToList();
        AssertStatus(lapsed[0], id, "delivered", 1);
        AssertStatus(lapsed[1], id, "pending", 1);
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
