using System.Globalization;
using System.Text.Json;

namespace ChatBridge.Tests.Actions;

/// <summary><c>stats</c>: the dashboard's series, counted by the database, every UTC hour and day listed.</summary>
public sealed class StatsTests
{
    /// <summary>The clock stands at 12:10 UTC tomorrow, so every hour and day below is fixed and a slow test cannot cross an hour.</summary>
    private static DateTimeOffset Noonish(BridgeApp app)
    {
        var now = app.Clock.GetUtcNow();
        var target = new DateTimeOffset(now.Year, now.Month, now.Day, 12, 10, 0, TimeSpan.Zero).AddDays(1);
        app.Clock.Advance(target - now);
        return target;
    }

    [Fact]
    public async Task Counts_messages_and_replies_per_hour_and_day_with_empty_buckets_listed()
    {
        using var app = new BridgeApp();
        var now = Noonish(app);
        var today = now.Date;
        var chat = new ArrangedConversation(app, "session_stats_counts", agentId: null);
        chat.Ask(today.AddHours(9.5));
        chat.Answer(chat.Ask(today.AddHours(12).AddMinutes(5)), today.AddHours(12).AddMinutes(6));
        chat.Answer(chat.Ask(today.AddDays(-1).AddHours(10)), today.AddDays(-1).AddHours(10).AddMinutes(1));
        chat.Reply(messageId: null, today.AddDays(-1).AddHours(11));
        chat.Answer(chat.Ask(today.AddDays(-40)), today.AddDays(-40).AddMinutes(1));

        var data = await (await app.Admin().GetAsync("/api/v1/?action=stats")).DataAsync();

        BridgeRequests.AssertTimestamp(data.GetProperty("generated_at").GetString());
        Assert.InRange(DateTimeOffset.Parse(data.GetProperty("generated_at").GetString()!, CultureInfo.InvariantCulture), now, now.AddMinutes(5));
        var hourly = data.GetProperty("hourly").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(-23, 24).Select(h => Arrange.Stamp(today.AddHours(12 + h))), hourly.Select(b => b.GetProperty("start").GetString()));
        Assert.Equal((1, 0), Counts(hourly[^4]));
        Assert.Equal((1, 1), Counts(hourly[^1]));
        Assert.Equal(2, hourly.Sum(b => b.GetProperty("messages").GetInt64()));
        Assert.Equal(1, hourly.Sum(b => b.GetProperty("replies").GetInt64()));
        var daily = data.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(-29, 30).Select(d => Arrange.Stamp(today.AddDays(d))), daily.Select(b => b.GetProperty("start").GetString()));
        Assert.Equal((2, 1), Counts(daily[^1]));
        Assert.Equal((1, 2), Counts(daily[^2]));
        Assert.All(daily[..^2], b => Assert.Equal((0, 0), Counts(b)));
        Assert.Equal(["start", "messages", "replies"], daily[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Latency_percentiles_are_per_day_overall_and_per_agent_from_each_message_s_first_reply()
    {
        using var app = new BridgeApp();
        var now = Noonish(app);
        var yesterday = now.Date.AddDays(-1).AddHours(10);
        var athena = new ArrangedConversation(app, "session_stats_athena", app.AddAgent("Athena"));
        var hermes = new ArrangedConversation(app, "session_stats_hermes", app.AddAgent("Hermes"));
        var nobody = new ArrangedConversation(app, "session_stats_nobody", agentId: null);
        for (var seconds = 1; seconds <= 20; seconds++)
        {
            var asked = yesterday.AddMinutes(seconds);
            var id = athena.Ask(asked);
            athena.Answer(id, asked.AddSeconds(seconds));
            // A second reply is not the first: it changes no latency.
            athena.Reply(id, asked.AddSeconds(seconds + 600));
        }
        foreach (var seconds in new[] { 5, 50, 500 })
        {
            var asked = yesterday.AddHours(1).AddSeconds(seconds);
            hermes.Answer(hermes.Ask(asked), asked.AddSeconds(seconds));
        }
        hermes.Ask(yesterday.AddHours(2));
        nobody.Answer(nobody.Ask(now.Date.AddHours(11)), now.Date.AddHours(11).AddSeconds(61.5));

        var data = await (await app.Admin().GetAsync("/api/v1/stats?days=3")).DataAsync();

        var latency = data.GetProperty("latency");
        // Nearest rank: of n values, percentile p is the ceil(p·n/100)-th smallest. Yesterday's 23 answered messages are
        // 1…20 s and 5, 50, 500 s: p50 is the 12th (11 s), p95 the 22nd (50 s).
        Assert.Equal(
            [(0L, null, null), (23L, 11.0, 50.0), (1L, 61.5, 61.5)],
            latency.GetProperty("overall").EnumerateArray().Select(Percentiles));
        var agents = latency.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(2, agents.Count);
        Assert.Equal(athena.AgentId, agents[0].GetProperty("agent_id").GetInt64());
        Assert.Equal([(0L, null, null), (20L, 10.0, 19.0), (0L, null, null)], agents[0].GetProperty("daily").EnumerateArray().Select(Percentiles));
        Assert.Equal(hermes.AgentId, agents[1].GetProperty("agent_id").GetInt64());
        Assert.Equal([(0L, null, null), (3L, 50.0, 500.0), (0L, null, null)], agents[1].GetProperty("daily").EnumerateArray().Select(Percentiles));
        Assert.Equal(Arrange.Stamp(now.Date), agents[1].GetProperty("daily")[2].GetProperty("start").GetString());
    }

    [Fact]
    public async Task An_answer_keeps_its_agent_whatever_characters_its_session_id_holds()
    {
        // The agents are read once per session, the day's ids sent as one JSON array: ids that JSON must escape, which
        // sessions made by older bridges or written by hand can have, still find their sessions.
        using var app = new BridgeApp();
        var now = Noonish(app);
        var yesterday = now.Date.AddDays(-1).AddHours(9);
        var athena = app.AddAgent("Athena");
        var hermes = app.AddAgent("Hermes");
        string[] odd = ["legacy \"quoted\" id", "back\\slash", "unicodé ☃ id", "tab\there"];
        for (var i = 0; i < odd.Length; i++)
        {
            var chat = new ArrangedConversation(app, odd[i], i % 2 == 0 ? athena : hermes);
            var asked = yesterday.AddMinutes(i);
            chat.Answer(chat.Ask(asked), asked.AddSeconds(10 * (i + 1)));
        }

        var data = await (await app.Admin().GetAsync("/api/v1/stats?days=2")).DataAsync();

        var agents = data.GetProperty("latency").GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal([athena, hermes], agents.Select(a => a.GetProperty("agent_id").GetInt64()));
        Assert.Equal([(2L, 10.0, 30.0), (0L, null, null)], agents[0].GetProperty("daily").EnumerateArray().Select(Percentiles));
        Assert.Equal([(2L, 20.0, 40.0), (0L, null, null)], agents[1].GetProperty("daily").EnumerateArray().Select(Percentiles));
    }

    [Fact]
    public async Task A_closed_day_is_counted_once_and_kept_while_today_is_counted_on_every_request()
    {
        using var app = new BridgeApp();
        var now = Noonish(app);
        var today = now.Date;
        var athena = new ArrangedConversation(app, "session_stats_rollup", app.AddAgent("Athena"));
        athena.Answer(athena.Ask(today.AddDays(-1).AddHours(10)), today.AddDays(-1).AddHours(10).AddSeconds(10));
        // Asked yesterday, answered after midnight: a message of yesterday, a latency of today.
        athena.Answer(athena.Ask(today.AddSeconds(-10)), today.AddSeconds(10));
        athena.Answer(athena.Ask(today.AddHours(11)), today.AddHours(11).AddSeconds(30));

        var first = await (await app.Admin().GetAsync("/api/v1/stats?days=2")).DataAsync();

        Assert.Equal([(2L, 1L), (1L, 2L)], first.GetProperty("daily").EnumerateArray().Select(Counts));
        Assert.Equal([(1L, 10.0, 10.0), (2L, 20.0, 30.0)], first.GetProperty("latency").GetProperty("overall").EnumerateArray().Select(Percentiles));
        Assert.Equal(2L, app.Scalar("SELECT COUNT(*) FROM stats_daily"));
        Assert.Equal(2L, app.Scalar("SELECT messages FROM stats_daily WHERE day = $d AND agent_id = 0", ("$d", Arrange.Stamp(today.AddDays(-1))[..10])));

        // Rows that appear in a kept day (only a direct write can put them there) are not counted again; today's are.
        athena.Answer(athena.Ask(today.AddDays(-1).AddHours(12)), today.AddDays(-1).AddHours(12).AddSeconds(100));
        athena.Answer(athena.Ask(today.AddHours(11.5)), today.AddHours(11.5).AddSeconds(100));
        var second = await (await app.Admin().GetAsync("/api/v1/stats?days=2")).DataAsync();

        Assert.Equal([(2L, 1L), (2L, 3L)], second.GetProperty("daily").EnumerateArray().Select(Counts));
        Assert.Equal([(1L, 10.0, 10.0), (3L, 30.0, 100.0)], second.GetProperty("latency").GetProperty("overall").EnumerateArray().Select(Percentiles));
        var agent = second.GetProperty("latency").GetProperty("agents").EnumerateArray().Single();
        Assert.Equal([(1L, 10.0, 10.0), (3L, 30.0, 100.0)], agent.GetProperty("daily").EnumerateArray().Select(Percentiles));
        Assert.Equal(2L, app.Scalar("SELECT COUNT(*) FROM stats_daily"));
    }

    [Fact]
    public async Task Today_s_latency_follows_new_answers_late_ones_and_deletions_from_one_request_to_the_next()
    {
        // Today's answers are kept between requests and each reads those since the last (with a minute's overlap): what
        // that cannot see coming, an answer stamped long before the last one kept or a deleted one, must show too.
        using var app = new BridgeApp();
        var today = Noonish(app).Date;
        var athena = new ArrangedConversation(app, "session_stats_open_athena", app.AddAgent("Athena"));
        var nobody = new ArrangedConversation(app, "session_stats_open_nobody", agentId: null);
        void Answer(ArrangedConversation chat, DateTimeOffset answered, int waited) =>
            chat.Answer(chat.Ask(answered.AddSeconds(-waited)), answered);
        async Task<((long, double?, double?) Overall, (long, double?, double?) Athena)> TodayAsync()
        {
            var latency = (await (await app.Admin().GetAsync("/api/v1/stats?days=1")).DataAsync()).GetProperty("latency");
            return (Percentiles(latency.GetProperty("overall")[0]),
                Percentiles(latency.GetProperty("agents").EnumerateArray().Single().GetProperty("daily")[0]));
        }
        Answer(athena, today.AddHours(11).AddSeconds(10), 10);
        Answer(nobody, today.AddHours(11).AddSeconds(20), 20);
        Assert.Equal(((2L, 10.0, 20.0), (1L, 10.0, 10.0)), await TodayAsync());

        Answer(athena, today.AddHours(11.5).AddSeconds(40), 40);
        Assert.Equal(((3L, 20.0, 40.0), (2L, 10.0, 40.0)), await TodayAsync());

        // Stamped 30 s before the latest answer the last request read, as a write that committed after it.
        Answer(athena, today.AddHours(11.5).AddSeconds(10), 30);
        Assert.Equal(((4L, 20.0, 40.0), (3L, 30.0, 40.0)), await TodayAsync());

        // Stamped an hour and a half before it, as the control app's writers may stamp a reply.
        Answer(athena, today.AddHours(10), 5);
        Assert.Equal(((5L, 20.0, 40.0), (4L, 10.0, 40.0)), await TodayAsync());

        app.Execute("DELETE FROM web_chat_messages WHERE session_id = 'session_stats_open_nobody'");
        Assert.Equal(((4L, 10.0, 40.0), (4L, 10.0, 40.0)), await TodayAsync());
    }

    [Fact]
    public async Task Days_without_a_message_are_kept_too_and_a_wider_window_counts_only_the_days_it_adds()
    {
        using var app = new BridgeApp();
        var now = Noonish(app);
        var chat = new ArrangedConversation(app, "session_stats_wider", agentId: null);
        chat.Answer(chat.Ask(now.Date.AddDays(-5).AddHours(8)), now.Date.AddDays(-5).AddHours(8).AddSeconds(4));

        await (await app.Admin().GetAsync("/api/v1/stats?days=3")).DataAsync();
        Assert.Equal(2L, app.Scalar("SELECT COUNT(*) FROM stats_daily"));
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM stats_daily WHERE answered > 0 OR messages > 0 OR replies > 0"));

        var data = await (await app.Admin().GetAsync("/api/v1/stats?days=7")).DataAsync();

        Assert.Equal(6L, app.Scalar("SELECT COUNT(*) FROM stats_daily"));
        Assert.Equal((1L, 1L), Counts(data.GetProperty("daily")[1]));
        Assert.Equal((1L, 4.0, 4.0), Percentiles(data.GetProperty("latency").GetProperty("overall")[1]));
    }

    [Fact]
    public async Task The_backlog_counts_unanswered_messages_and_ages_the_oldest()
    {
        using var app = new BridgeApp();
        var now = Noonish(app);
        var chat = new ArrangedConversation(app, "session_stats_backlog", agentId: null);
        chat.Answer(chat.Ask(now.AddDays(-3)), now.AddDays(-3).AddMinutes(1));
        chat.Ask(now.AddHours(-26));
        chat.Ask(now.AddMinutes(-5));

        var backlog = (await (await app.Admin().GetAsync("/api/v1/?action=stats")).DataAsync()).GetProperty("backlog");

        Assert.Equal(2, backlog.GetProperty("waiting").GetInt64());
        Assert.Equal(Arrange.Stamp(now.AddHours(-26)), backlog.GetProperty("oldest_timestamp").GetString());
        Assert.InRange(backlog.GetProperty("oldest_age_seconds").GetInt64(), 26 * 3600, (26 * 3600) + 60);
    }

    [Fact]
    public async Task An_empty_database_gets_every_bucket_at_zero_and_no_backlog()
    {
        using var app = new BridgeApp();

        var data = await (await app.Admin().GetAsync("/api/v1/?action=stats&hours=168&days=1000")).DataAsync();

        Assert.Equal(168, data.GetProperty("hourly").GetArrayLength());
        Assert.Equal(90, data.GetProperty("daily").GetArrayLength());
        Assert.All(data.GetProperty("latency").GetProperty("overall").EnumerateArray(), d => Assert.Equal((0L, null, null), Percentiles(d)));
        Assert.Equal(0, data.GetProperty("latency").GetProperty("agents").GetArrayLength());
        var backlog = data.GetProperty("backlog");
        Assert.Equal(0, backlog.GetProperty("waiting").GetInt64());
        Assert.Equal(JsonValueKind.Null, backlog.GetProperty("oldest_timestamp").ValueKind);
        Assert.Equal(JsonValueKind.Null, backlog.GetProperty("oldest_age_seconds").ValueKind);
    }

    [Theory]
    [InlineData("hours=0", "Invalid hours parameter")]
    [InlineData("hours=abc", "Invalid hours parameter")]
    [InlineData("days=-1", "Invalid days parameter")]
    [InlineData("days=2.5", "Invalid days parameter")]
    public async Task Bad_windows_are_a_400(string query, string error)
    {
        using var app = new BridgeApp();
        await (await app.Admin().GetAsync($"/api/v1/?action=stats&{query}")).AssertErrorAsync(400, error);
    }

    [Fact]
    public async Task Needs_the_admin_key()
    {
        using var app = new BridgeApp();
        await (await app.Anonymous().GetAsync("/api/v1/stats")).AssertErrorAsync(401, "Authentication required");
        await (await app.Broca().GetAsync("/api/v1/?action=stats")).AssertErrorAsync(401, "Invalid admin key");
    }


    private static (long Messages, long Replies) Counts(JsonElement bucket) =>
        (bucket.GetProperty("messages").GetInt64(), bucket.GetProperty("replies").GetInt64());

    private static (long Answered, double? P50, double? P95) Percentiles(JsonElement day) =>
        (day.GetProperty("answered").GetInt64(), Seconds(day.GetProperty("p50_seconds")), Seconds(day.GetProperty("p95_seconds")));

    private static double? Seconds(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
}
