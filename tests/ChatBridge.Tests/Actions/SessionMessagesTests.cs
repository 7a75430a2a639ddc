namespace ChatBridge.Tests.Actions;

public sealed class SessionMessagesTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Shows_the_session_its_messages_and_its_responses()
    {
        await app.Anonymous().PostMessageAsync("session_transcript", "question");
        await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100");
        await app.Broca().PostReplyAsync("session_transcript", "answer");

        var data = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_transcript")).DataAsync();

        Assert.Equal("session_transcript", data.GetProperty("session").GetProperty("id").GetString());
        var message = Assert.Single(data.GetProperty("messages").EnumerateArray());
        Assert.Equal("question", message.GetProperty("message").GetString());
        Assert.Equal("answered", message.GetProperty("status").GetString());
        var response = Assert.Single(data.GetProperty("responses").EnumerateArray());
        Assert.Equal("answer", response.GetProperty("response").GetString());
        Assert.Equal(message.GetProperty("id").GetInt64(), response.GetProperty("message_id").GetInt64());
    }

    [Fact]
    public async Task An_unknown_session_is_a_404()
    {
        var response = await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_never_seen");
        await response.AssertErrorAsync(404, "Session not found");
    }

    [Theory]
    [InlineData("", "Missing session_id")]
    [InlineData("&session_id=oops", "Invalid session ID")]
    public async Task A_missing_or_malformed_session_id_is_a_400(string query, string error)
    {
        var response = await app.Admin().GetAsync($"/api/v1/?action=session_messages{query}");
        await response.AssertErrorAsync(400, error);
    }
}
