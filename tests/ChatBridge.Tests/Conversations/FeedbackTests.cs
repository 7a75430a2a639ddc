using System.Text.Json;

namespace ChatBridge.Tests.Conversations;

public sealed class FeedbackTests
{
    internal const string Token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_rating_is_set_changed_and_taken_back()
    {
        using var app = new FrozenBridgeApp();
        var reply = await ConversationAsync(app, "session_fb_rate");
        var page = app.WithToken(Token);

        var up = await (await page.PostJsonAsync("feedback", new { session_id = "session_fb_rate", response_id = reply, rating = "up" })).DataAsync();
        Assert.Equal(reply, up.GetProperty("response_id").GetInt64());
        Assert.Equal("up", up.GetProperty("rating").GetString());
        Assert.Equal(JsonValueKind.Null, up.GetProperty("reason").ValueKind);
        Assert.Equal(Arrange.Stamp(app.Time.GetUtcNow()), up.GetProperty("rated_at").GetString());

        app.Time.Advance(TimeSpan.FromMinutes(1));
        var down = await (await page.PostJsonAsync("feedback",
            new { session_id = "session_fb_rate", response_id = reply, rating = "down", reason = "  wrong: the hours are old  " })).DataAsync();
        Assert.Equal("down", down.GetProperty("rating").GetString());
        Assert.Equal("wrong: the hours are old", down.GetProperty("reason").GetString());
        Assert.Equal(1L, app.Count("chatbridge_feedback"));
        Assert.Equal("down", app.Scalar("SELECT rating FROM chatbridge_feedback WHERE response_id = $r", ("$r", reply)));
        Assert.Equal(Arrange.Stamp(app.Time.GetUtcNow()), app.Scalar("SELECT rated_at FROM chatbridge_feedback"));

        var none = await (await page.PostJsonAsync("feedback", new { session_id = "session_fb_rate", response_id = reply, rating = "none" })).DataAsync();
        Assert.Equal("none", none.GetProperty("rating").GetString());
        Assert.Equal(JsonValueKind.Null, none.GetProperty("rated_at").ValueKind);
        Assert.Equal(0L, app.Count("chatbridge_feedback"));
    }

    [Fact]
    public async Task A_reply_of_another_session_or_none_at_all_is_not_found()
    {
        using var app = new BridgeApp();
        var mine = await ConversationAsync(app, "session_fb_mine");
        var theirs = await ConversationAsync(app, "session_fb_theirs");

        await (await app.WithToken(Token).PostJsonAsync("feedback", new { session_id = "session_fb_mine", response_id = theirs, rating = "up" }))
            .AssertErrorAsync(404, "Response not found");
        await (await app.WithToken(Token).PostJsonAsync("feedback", new { session_id = "session_fb_mine", response_id = mine + 1000, rating = "up" }))
            .AssertErrorAsync(404, "Response not found");
        Assert.Equal(0L, app.Count("chatbridge_feedback"));
    }

    [Theory]
    [InlineData("""{"session_id":"session_fb_bad","rating":"up"}""", 400, "Missing required fields")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":1}""", 400, "Missing required fields")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":"1","rating":"up"}""", 400, "Invalid response_id")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":0,"rating":"up"}""", 400, "Invalid response_id")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":1,"rating":"meh"}""", 400, "Invalid rating: expected \"up\", \"down\" or \"none\"")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":1,"rating":1}""", 400, "Invalid rating: expected \"up\", \"down\" or \"none\"")]
    [InlineData("""{"session_id":"session_fb_bad","response_id":1,"rating":"down","reason":5}""", 400, "Invalid reason: at most 500 characters")]
    [InlineData("""{"session_id":"bad","response_id":1,"rating":"up"}""", 400, "Invalid session ID")]
    [InlineData("""[1]""", 400, "Invalid JSON")]
    public async Task Bad_feedback_is_a_400_naming_the_fault(string body, int status, string error)
    {
        using var app = new BridgeApp();
        await (await app.Anonymous().PostRawAsync("feedback", body)).AssertErrorAsync(status, error);
    }

    [Fact]
    public async Task A_reason_longer_than_500_characters_is_refused()
    {
        using var app = new BridgeApp();
        var reply = await ConversationAsync(app, "session_fb_long");

        await (await app.WithToken(Token).PostJsonAsync("feedback",
            new { session_id = "session_fb_long", response_id = reply, rating = "down", reason = new string('x', 501) }))
            .AssertErrorAsync(400, "Invalid reason: at most 500 characters");
        (await app.WithToken(Token).PostJsonAsync("feedback",
            new { session_id = "session_fb_long", response_id = reply, rating = "down", reason = new string('x', 500) })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Feedback_and_seen_need_the_sessions_token()
    {
        using var app = new BridgeApp();
        var reply = await ConversationAsync(app, "session_fb_token");

        await (await app.Anonymous().PostJsonAsync("feedback", new { session_id = "session_fb_token", response_id = reply, rating = "up" }))
            .AssertErrorAsync(403, "Invalid session token");
        await (await app.Anonymous().PostJsonAsync("seen", new { session_id = "session_fb_token", response_id = reply }))
            .AssertErrorAsync(403, "Invalid session token");
        Assert.Equal(0L, app.Count("chatbridge_feedback"));
        Assert.Null(app.Scalar("SELECT seen_at FROM web_chat_responses"));
    }

    [Fact]
    public async Task Seen_marks_replies_up_to_the_one_shown_once()
    {
        using var app = new FrozenBridgeApp();
        var first = await ConversationAsync(app, "session_fb_seen");
        var second = await ReplyIdAsync(app, "session_fb_seen", "second");
        var third = await ReplyIdAsync(app, "session_fb_seen", "third");
        var page = app.WithToken(Token);
        var shownAt = Arrange.Stamp(app.Time.GetUtcNow());

        var seen = await (await page.PostJsonAsync("seen", new { session_id = "session_fb_seen", response_id = second })).DataAsync();
        Assert.Equal(2, seen.GetProperty("marked").GetInt32());
        app.Time.Advance(TimeSpan.FromMinutes(5));
        var again = await (await page.PostJsonAsync("seen", new { session_id = "session_fb_seen", response_id = third })).DataAsync();

        Assert.Equal(1, again.GetProperty("marked").GetInt32());
        Assert.Equal(shownAt, app.Scalar("SELECT seen_at FROM web_chat_responses WHERE id = $id", ("$id", first)));
        Assert.Equal(shownAt, app.Scalar("SELECT seen_at FROM web_chat_responses WHERE id = $id", ("$id", second)));
        Assert.Equal(Arrange.Stamp(app.Time.GetUtcNow()), app.Scalar("SELECT seen_at FROM web_chat_responses WHERE id = $id", ("$id", third)));
        Assert.Equal(0, (await (await page.PostJsonAsync("seen", new { session_id = "session_fb_seen", response_id = third })).DataAsync()).GetProperty("marked").GetInt32());
        await (await page.PostJsonAsync("seen", new { session_id = "session_fb_seen", response_id = third + 100 })).AssertErrorAsync(404, "Response not found");
    }

    /// <summary>A session bound to <see cref="Token"/> with one message and its reply; returns the reply's id.</summary>
    internal static async Task<long> ConversationAsync(BridgeApp app, string sessionId)
    {
        (await app.WithToken(Token).PostMessageAsync(sessionId, "hello")).EnsureSuccessStatusCode();
        return await ReplyIdAsync(app, sessionId, "hi there");
    }

    private static async Task<long> ReplyIdAsync(BridgeApp app, string sessionId, string text) =>
        (await (await app.Broca().PostReplyAsync(sessionId, text)).DataAsync()).GetProperty("response_id").GetInt64();
}
