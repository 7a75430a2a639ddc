using System.Text.Json;
using ChatBridge.Configuration;
using ChatBridge.Inbox;

namespace ChatBridge.Tests.Delivery;

/// <summary>
/// No message is given up silently. A lapse counts against a message (a strike) only when the Broca that held it went on
/// working; a stuck message is still handed out, after a growing back-off, and leaves the inbox only on an admin's word.
/// Every setting is the shipped default; the clock moves only when a test moves it. (The metrics are in
/// <see cref="Hosting.MetricsTests"/>, which runs alone.)
/// </summary>
public sealed class DeliveryStrikesTests
{
    private static readonly TimeSpan Lease = new InboxOptions().ClaimTimeout;

    [Fact]
    public async Task A_lapse_is_a_strike_only_when_the_broca_that_held_the_message_went_on_working()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);
        var broca = app.Broca();

        // Held together with a message its Broca then answered: the Broca worked on, and left this one.
        var held = await PostAsync(app, "session_strike_held", "left unanswered");
        await PostAsync(app, "session_strike_sibling", "answered");
        var batch = await broca.ClaimAsync();
        await broca.AnswerAsync(batch.Single(m => m.GetProperty("session_id").GetString() == "session_strike_sibling"));
        time.Advance(TimeSpan.FromSeconds(1));

        // Claimed alone and thrown away, then only newer claims answered: a start-up probe, or a Broca that restarted.
        var probed = await PostAsync(app, "session_strike_probe", "probed");
        Assert.Equal(probed, Assert.Single(await broca.ClaimAsync(limit: 1)).Id());
        time.Advance(TimeSpan.FromSeconds(1));
        await PostAsync(app, "session_strike_later", "claimed later");
        await broca.AnswerAsync(Assert.Single(await broca.ClaimAsync()));
        time.Advance(TimeSpan.FromSeconds(1));

        // Held together with a message only a person answered: no Broca did any work.
        var beside = await PostAsync(app, "session_strike_beside_person", "beside a person's answer");
        var person = await PostAsync(app, "session_strike_person", "answered by a person");
        Assert.Equal([beside, person], (await broca.ClaimAsync()).Select(m => m.Id()));
        await (await app.Admin().PostJsonAsync("reply", new { session_id = "session_strike_person", response = "A person here", message_id = person })).DataAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        // Nothing answered after the claim: its Broca died holding it.
        var died = await PostAsync(app, "session_strike_died", "held by a Broca that died");
        Assert.Equal(died, Assert.Single(await broca.ClaimAsync()).Id());

        time.Advance(Lease);
        await app.SweepAsync();

        Assert.Equal(1, await StrikesAsync(app, "session_strike_held", held));
        Assert.Equal(0, await StrikesAsync(app, "session_strike_probe", probed));
        Assert.Equal(0, await StrikesAsync(app, "session_strike_beside_person", beside));
        Assert.Equal(0, await StrikesAsync(app, "session_strike_died", died));
        // Strike or not, every lapsed message is back in the inbox, oldest first.
        Assert.Equal([held, probed, beside, died], (await broca.ClaimAsync()).Select(m => m.Id()));
    }

    [Fact]
    public async Task A_stuck_message_is_handed_out_again_after_a_growing_backoff_and_flagged_to_the_admin()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);
        var broca = app.Broca();
        var id = await PostAsync(app, "session_stuck", "nobody can answer this");

        for (var strike = 1; strike <= 3; strike++)
        {
            await app.StrikeAsync(time, id);
            Assert.Equal(strike, (await BacklogEntryAsync(app, id)).GetProperty("strikes").GetInt32());
        }

        var view = await app.AdminViewAsync("session_stuck", id);
        Assert.Equal(3, view.GetProperty("strikes").GetInt32());
        Assert.True(view.GetProperty("exhausted").GetBoolean());
        Assert.Equal("pending", view.GetProperty("status").GetString());
        var backlog = await BacklogEntryAsync(app, id);
        Assert.True(backlog.GetProperty("exhausted").GetBoolean());
        Assert.Equal(time.GetUtcNow() + Lease, backlog.GetProperty("next_delivery_at").GetDateTimeOffset());
        Assert.Equal(1, await ExhaustedCountAsync(app, "session_stuck"));
        var warning = $"[WRN] Message {id} of session_stuck is stuck: 3 times a working Broca left it unanswered";
        Assert.Contains(warning, await app.ReadLogsAsync(warning), StringComparison.Ordinal);

        // Each further strike doubles the wait: one lease, then two, then four.
        foreach (var (strikes, backoff) in new[] { (4, Lease * 2), (5, Lease * 4) })
        {
            var waited = (await BacklogEntryAsync(app, id)).GetProperty("next_delivery_at").GetDateTimeOffset() - time.GetUtcNow();
            time.Advance(waited - TimeSpan.FromSeconds(1));
            Assert.Empty(await broca.ClaimAsync());
            time.Advance(TimeSpan.FromSeconds(1));
            await app.StrikeAsync(time, id);
            Assert.Equal(strikes, (await BacklogEntryAsync(app, id)).GetProperty("strikes").GetInt32());
            Assert.Equal(time.GetUtcNow() + backoff, (await BacklogEntryAsync(app, id)).GetProperty("next_delivery_at").GetDateTimeOffset());
        }

        // Still handed out after its back-off, and a reply settles it like any other message.
        time.Advance(Lease * 4);
        var again = Assert.Single(await broca.ClaimAsync());
        await broca.AnswerAsync(again);
        Assert.False((await app.AdminViewAsync("session_stuck", id)).GetProperty("exhausted").GetBoolean());
    }

    [Fact]
    public void The_backoff_doubles_from_one_lease_and_stops_at_its_cap()
    {
        var options = new InboxOptions();

        Assert.Null(StuckBackoff.After(2, options));
        Assert.Equal(TimeSpan.FromMinutes(5), StuckBackoff.After(3, options));
        Assert.Equal(TimeSpan.FromMinutes(40), StuckBackoff.After(6, options));
        Assert.Equal(TimeSpan.FromHours(1), StuckBackoff.After(7, options));
        Assert.Equal(TimeSpan.FromHours(1), StuckBackoff.After(int.MaxValue, options));
    }

    [Fact]
    public async Task A_dropped_message_is_never_handed_out_again_and_shows_as_dropped()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);
        var broca = app.Broca();
        var id = await app.PostStuckAsync(time, "session_drop");

        var dropped = await (await app.Admin().PostJsonAsync("drop_message", new { message_id = id })).DataAsync();

        Assert.Equal("dropped", dropped.GetProperty("status").GetString());
        Assert.Equal("session_drop", dropped.GetProperty("session_id").GetString());
        time.Advance(TimeSpan.FromHours(2));
        await app.SweepAsync();
        Assert.Empty(await broca.ClaimAsync());
        var history = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_drop")).DataAsync();
        Assert.Equal("dropped", history.GetProperty("messages").EnumerateArray().Single(m => m.Id() == id).GetProperty("status").GetString());
        var view = await app.AdminViewAsync("session_drop", id);
        Assert.Equal("dropped", view.GetProperty("status").GetString());
        Assert.False(view.GetProperty("exhausted").GetBoolean());
        Assert.Equal(0, await ExhaustedCountAsync(app, "session_drop"));
        var backlog = await (await app.Admin().GetAsync("/api/v1/?action=backlog")).DataAsync();
        Assert.DoesNotContain(backlog.GetProperty("messages").EnumerateArray(), m => m.Id() == id);

        // A second drop changes nothing; a retry cannot bring it back.
        await (await app.Admin().PostJsonAsync("drop_message", new { message_id = id })).DataAsync();
        await (await app.Admin().PostJsonAsync("retry_message", new { message_id = id })).AssertErrorAsync(409, "Message was dropped");
    }

    [Fact]
    public async Task A_retried_message_is_handed_out_at_once_with_its_strikes_forgotten()
    {
        var time = TestClocks.Frozen();
        using var app = Leases.Frozen(time);
        var id = await app.PostStuckAsync(time, "session_retry");
        Assert.Empty(await app.Broca().ClaimAsync());

        var retried = await (await app.Admin().PostJsonAsync("retry_message", new { message_id = id })).DataAsync();

        Assert.Equal("pending", retried.GetProperty("status").GetString());
        Assert.Equal(0, retried.GetProperty("strikes").GetInt32());
        Assert.Equal(id, Assert.Single(await app.Broca().ClaimAsync()).Id());
        var view = await app.AdminViewAsync("session_retry", id);
        Assert.Equal(0, view.GetProperty("strikes").GetInt32());
        Assert.False(view.GetProperty("exhausted").GetBoolean());
    }

    [Theory]
    [InlineData("drop_message", """{"message_id": 999999}""", 400, "Invalid message_id")]
    [InlineData("retry_message", """{"message_id": 999999}""", 400, "Invalid message_id")]
    [InlineData("drop_message", """{"message_id": "one"}""", 400, "Invalid message_id")]
    [InlineData("retry_message", """{"message_id": -3}""", 400, "Invalid message_id")]
    [InlineData("drop_message", """{}""", 400, "Missing required fields")]
    [InlineData("retry_message", """[1]""", 400, "Invalid JSON")]
    public async Task Drop_and_retry_name_what_is_wrong_with_their_request(string action, string body, int status, string error)
    {
        using var app = new BridgeApp();

        await (await app.Admin().PostRawAsync(action, body)).AssertErrorAsync(status, error);
    }

    [Theory]
    [InlineData("drop_message")]
    [InlineData("retry_message")]
    public async Task An_answered_message_cannot_be_dropped_or_retried(string action)
    {
        using var app = new BridgeApp();
        var id = await PostAsync(app, "session_settled", "answered already");
        await app.Broca().AnswerAsync(Assert.Single(await app.Broca().ClaimAsync()));

        await (await app.Admin().PostJsonAsync(action, new { message_id = id })).AssertErrorAsync(409, "Message already answered");
        await (await app.Broca().PostJsonAsync(action, new { message_id = id })).AssertErrorAsync(401, "Invalid admin key");
    }

    private static async Task<long> PostAsync(BridgeApp app, string session, string text) =>
        (await (await app.Anonymous().PostMessageAsync(session, text)).DataAsync()).GetProperty("message_id").GetInt64();

    private static async Task<int> StrikesAsync(BridgeApp app, string session, long id) =>
        (await app.AdminViewAsync(session, id)).GetProperty("strikes").GetInt32();

    private static async Task<JsonElement> BacklogEntryAsync(BridgeApp app, long id)
    {
        var backlog = await (await app.Admin().GetAsync("/api/v1/?action=backlog")).DataAsync();
        return backlog.GetProperty("messages").EnumerateArray().Single(m => m.Id() == id);
    }

    private static async Task<int> ExhaustedCountAsync(BridgeApp app, string session)
    {
        var sessions = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();
        return sessions.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == session).GetProperty("exhausted_count").GetInt32();
    }
}
