using System.Text.Json;

namespace ChatBridge.Tests.Conversations;

public sealed class PresenceTests
{
    [Fact]
    public async Task An_agent_is_online_while_its_broca_polls_within_three_of_its_intervals()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");
        var hermes = app.AddAgent("Hermes");
        var hermesKey = (await (await app.Admin().PostJsonAsync("agent_key", new { agent_id = hermes })).DataAsync()).GetProperty("api_key").GetString()!;
        var hermesBroca = app.WithKey(hermesKey);
        Assert.False((await AgentAsync(app, hermes)).GetProperty("online").GetBoolean());

        await PollAsync(hermesBroca);
        app.Time.Advance(TimeSpan.FromSeconds(10));
        await PollAsync(hermesBroca);
        Assert.True((await AgentAsync(app, hermes)).GetProperty("online").GetBoolean());
        Assert.False((await AgentAsync(app, athena)).GetProperty("online").GetBoolean());

        app.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.True((await AgentAsync(app, hermes)).GetProperty("online").GetBoolean());
        app.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await AgentAsync(app, hermes)).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task The_service_wide_key_counts_for_every_agent_with_a_floor_of_three_seconds()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");

        await PollAsync(app.Broca());
        app.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.True((await AgentAsync(app, athena)).GetProperty("online").GetBoolean());
        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await AgentAsync(app, athena)).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task A_long_polls_wait_counts_as_its_interval()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");
        // A message is waiting, so the long poll answers at once, but its Broca will not be back before 20 s.
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_pres_wait", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
        (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0&wait=20")).EnsureSuccessStatusCode();

        app.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.True((await AgentAsync(app, athena)).GetProperty("online").GetBoolean());
        app.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await AgentAsync(app, athena)).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Typical_reply_seconds_is_the_median_of_the_last_day_refreshed_every_thirty_seconds()
    {
        using var app = new FrozenBridgeApp();
        var athena = app.AddAgent("Athena");
        var hermes = app.AddAgent("Hermes");
        // Hermes answered in 8 s a day and an hour ago and in 20 s 23 hours ago. Arranged in the past: moving the fake
        // clock a whole day on would fire the host's quarter-second timer 350 000 times, a dozen seconds of CPU.
        var now = app.Time.GetUtcNow();
        AnsweredLongAgo(app, hermes, "session_pres_old", now.AddHours(-25), seconds: 8);
        AnsweredLongAgo(app, hermes, "session_pres_day", now.AddHours(-23), seconds: 20);
        Assert.Equal(JsonValueKind.Null, (await AgentAsync(app, athena)).GetProperty("typical_reply_seconds").ValueKind);

        foreach (var (session, seconds) in new[] { ("session_pres_a", 4), ("session_pres_b", 10), ("session_pres_c", 6) })
        {
            (await app.Anonymous().PostJsonAsync("messages", new { session_id = session, message = "hi", agent_id = athena })).EnsureSuccessStatusCode();
            await PollAsync(app.Broca());
            app.Time.Advance(TimeSpan.FromSeconds(seconds));
            (await app.Broca().PostReplyAsync(session, "hello")).EnsureSuccessStatusCode();
        }
        Assert.Equal(JsonValueKind.Null, (await AgentAsync(app, athena)).GetProperty("typical_reply_seconds").ValueKind);

        app.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(6.0, (await AgentAsync(app, athena)).GetProperty("typical_reply_seconds").GetDouble());
        Assert.Equal(20.0, (await AgentAsync(app, hermes)).GetProperty("typical_reply_seconds").GetDouble());
    }

    [Fact]
    public async Task Presence_holds_across_instances_without_a_write_per_poll()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        using var other = app.SecondInstance();
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_pres_two", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();

        (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0&wait=10")).EnsureSuccessStatusCode();
        var written = app.Scalar("SELECT last_poll_at FROM chatbridge_broca_polls WHERE agent_id = 0");
        await PollAsync(app.Broca());
        await PollAsync(app.Broca());

        Assert.Equal(written, app.Scalar("SELECT last_poll_at FROM chatbridge_broca_polls WHERE agent_id = 0"));
        Assert.True((await AgentAsync(other, athena)).GetProperty("online").GetBoolean());
    }

    private static void AnsweredLongAgo(BridgeApp app, long agentId, string sessionId, DateTimeOffset askedAt, int seconds)
    {
        app.Execute(
            "INSERT INTO web_chat_sessions (session_id, uid, agent_id, created_at, last_active) VALUES ($s, '0123456789abcdef', $a, $t, $t)",
            ("$s", sessionId), ("$a", agentId), ("$t", askedAt));
        app.Execute(
            "INSERT INTO web_chat_messages (session_id, message, timestamp, processed, answered_at) VALUES ($s, 'question', $t, 1, $answered)",
            ("$s", sessionId), ("$t", askedAt), ("$answered", askedAt.AddSeconds(seconds)));
    }

    private static async Task PollAsync(HttpClient broca) =>
        (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).EnsureSuccessStatusCode();

    private static async Task<JsonElement> AgentAsync(BridgeApp app, long agentId) =>
        (await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync()).GetProperty("agents").EnumerateArray()
            .Single(a => a.GetProperty("id").GetInt64() == agentId);
}
