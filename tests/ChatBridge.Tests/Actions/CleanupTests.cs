namespace ChatBridge.Tests.Actions;

public sealed class CleanupTests
{
    [Fact]
    public async Task Deletes_idle_sessions_with_their_rows_but_keeps_active_ones_and_those_broca_has_not_read()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_clean_idle", "old");
        await app.Broca().GetAsync("/api/v1/?action=inbox");
        await app.Broca().PostReplyAsync("session_clean_idle", "old reply");
        await app.Anonymous().PostMessageAsync("session_clean_unread", "nobody read me");
        await app.Anonymous().PostMessageAsync("session_clean_active", "recent");
        // Claim only the active session's message (the second unprocessed one).
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=1&offset=1");
        app.Age("session_clean_idle", TimeSpan.FromHours(1));
        app.Age("session_clean_unread", TimeSpan.FromHours(1));

        var data = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal(1, data.GetProperty("cleaned_count").GetInt32());
        Assert.Equal("Cleaned up 1 inactive sessions", data.GetProperty("message").GetString());
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_clean_idle'"));
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_responses WHERE session_id = 'session_clean_idle'"));
        var remaining = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=false")).DataAsync();
        Assert.Equal(
            ["session_clean_active", "session_clean_unread"],
            remaining.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Order());
        var unread = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        Assert.Equal("nobody read me", Assert.Single(unread.GetProperty("messages").EnumerateArray()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Follows_the_configured_session_timeout()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_clean_timeout", "x");
        await app.Broca().GetAsync("/api/v1/?action=inbox");
        await app.Broca().PostReplyAsync("session_clean_timeout", "y");
        app.Age("session_clean_timeout", TimeSpan.FromMinutes(5));

        var kept = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();
        await (await app.Admin().PostJsonAsync("config", new { session_timeout = 120 })).DataAsync();
        var cleaned = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal(0, kept.GetProperty("cleaned_count").GetInt32());
        Assert.Equal(1, cleaned.GetProperty("cleaned_count").GetInt32());
    }

    [Fact]
    public async Task Keeps_an_idle_session_whose_message_broca_holds_unanswered_until_its_lease_ends()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_clean_leased", "claimed, not answered yet");
        await app.Broca().GetAsync("/api/v1/?action=inbox");
        app.Age("session_clean_leased", TimeSpan.FromHours(1));

        var kept = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();
        await (await app.Broca().PostReplyAsync("session_clean_leased", "answered at last")).DataAsync();
        app.Age("session_clean_leased", TimeSpan.FromHours(1));
        var cleaned = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal(0, kept.GetProperty("cleaned_count").GetInt32());
        Assert.Equal(1, cleaned.GetProperty("cleaned_count").GetInt32());
    }
}
