using System.Text.Json;

namespace ChatBridge.Tests.Actions;

public sealed class SessionsTests
{
    [Fact]
    public async Task Lists_active_sessions_newest_activity_first_with_counts()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_list_old", "a");
        await app.Anonymous().PostMessageAsync("session_list_new", "b");
        await app.Anonymous().PostMessageAsync("session_list_new", "c");
        await app.Broca().PostReplyAsync("session_list_new", "reply");
        app.Age("session_list_old", TimeSpan.FromMinutes(5));

        var data = await (await app.Admin().GetAsync("/api/v1/?action=sessions")).DataAsync();

        var sessions = data.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(["session_list_new", "session_list_old"], sessions.Select(s => s.GetProperty("id").GetString()));
        var newest = sessions[0];
        Assert.Equal(2, newest.GetProperty("message_count").GetInt32());
        Assert.Equal(1, newest.GetProperty("response_count").GetInt32());
        Assert.Matches("^[0-9a-f]{16}$", newest.GetProperty("uid").GetString());
        BridgeRequests.AssertTimestamp(newest.GetProperty("created_at").GetString());
        BridgeRequests.AssertTimestamp(newest.GetProperty("last_active").GetString());
        Assert.Equal(JsonValueKind.Object, newest.GetProperty("metadata").ValueKind);
        foreach (var field in new[] { "ip_address", "user_id", "agent_id" })
        {
            Assert.True(newest.TryGetProperty(field, out _), $"missing {field}");
        }
        var pagination = data.GetProperty("pagination");
        Assert.Equal(2, pagination.GetProperty("total").GetInt32());
        Assert.False(pagination.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Active_false_includes_sessions_idle_past_the_timeout()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_list_stale", "a");
        await app.Anonymous().PostMessageAsync("session_list_fresh", "b");
        app.Age("session_list_stale", TimeSpan.FromHours(2));

        var active = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=true")).DataAsync();
        var all = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();

        Assert.Equal(["session_list_fresh"], Ids(active));
        Assert.Equal(["session_list_fresh", "session_list_stale"], Ids(all));
    }

    [Fact]
    public async Task Pages_with_limit_and_offset()
    {
        using var app = new BridgeApp();
        for (var i = 0; i < 5; i++)
        {
            await app.Anonymous().PostMessageAsync($"session_page_{i}", "x");
        }

        var page = await (await app.Admin().GetAsync("/api/v1/?action=sessions&limit=2&offset=1")).DataAsync();

        Assert.Equal(["session_page_3", "session_page_2"], Ids(page));
        var pagination = page.GetProperty("pagination");
        Assert.Equal(5, pagination.GetProperty("total").GetInt32());
        Assert.Equal(2, pagination.GetProperty("limit").GetInt32());
        Assert.Equal(1, pagination.GetProperty("offset").GetInt32());
        Assert.True(pagination.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Metadata_that_an_older_writer_left_malformed_is_shown_as_an_empty_object()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_meta_bad", "x");
        await app.Anonymous().PostMessageAsync("session_meta_good", "x");
        app.Execute("UPDATE web_chat_sessions SET metadata = 'not json' WHERE session_id = 'session_meta_bad'");
        app.Execute("""UPDATE web_chat_sessions SET metadata = '{"source":"widget"}' WHERE session_id = 'session_meta_good'""");

        var data = await (await app.Admin().GetAsync("/api/v1/?action=sessions")).DataAsync();

        var byId = data.GetProperty("sessions").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("{}", byId["session_meta_bad"].GetProperty("metadata").GetRawText());
        Assert.Equal("widget", byId["session_meta_good"].GetProperty("metadata").GetProperty("source").GetString());
    }

    private static List<string?> Ids(JsonElement data) =>
        data.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
}
