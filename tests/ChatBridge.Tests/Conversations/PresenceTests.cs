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
        var earlier = new ArrangedConversation(app, "session_pres_earlier", hermes);
        foreach (var (asked, seconds) in new[] { (app.Time.GetUtcNow().AddHours(-25), 8), (app.Time.GetUtcNow().AddHours(-23), 20) })
        {
            earlier.Answer(earlier.Ask(asked), asked.AddSeconds(seconds));
        }
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

    private static async Task PollAsync(HttpClient broca) =>
        (await broca.GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).EnsureSuccessStatusCode();

    private static async Task<JsonElement> AgentAsync(BridgeApp app, long agentId) =>
        (await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync()).GetProperty("agents").EnumerateArray()
            .Single(a => a.GetProperty("id").GetInt64() == agentId);
}
