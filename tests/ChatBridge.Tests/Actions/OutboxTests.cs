namespace ChatBridge.Tests.Actions;

public sealed class OutboxTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_reply_is_stored_and_answered_with_a_200()
    {
        await app.Anonymous().PostMessageAsync("session_out_ok", "question");

        var response = await app.Broca().PostReplyAsync("session_out_ok", "answer");

        var data = await response.DataAsync();
        Assert.True(data.GetProperty("response_id").GetInt64() > 0);
        Assert.Equal("session_out_ok", data.GetProperty("session_id").GetString());
        BridgeRequests.AssertTimestamp(data.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task An_unknown_session_is_an_invalid_session()
    {
        var response = await app.Broca().PostReplyAsync("session_out_nobody", "hello?");
        await response.AssertErrorAsync(400, "Invalid session");
    }

    [Theory]
    [InlineData("""{"response": "hi"}""", "Missing required fields")]
    [InlineData("""{"session_id": "session_out_ok2"}""", "Missing required fields")]
    [InlineData("""{"session_id": "not a session", "response": "hi"}""", "Invalid session ID")]
    [InlineData("""{"session_id": "session_out_ok2", "response": 5}""", "Invalid response")]
    [InlineData("""{"session_id": "session_out_ok2", "response": "   "}""", "Invalid response")]
    [InlineData("""{"session_id": "session_out_ok2", "response": "hi", "message_id": "seven"}""", "Invalid message_id")]
    [InlineData("""{"session_id": "session_out_ok2", "response": "hi", "message_id": 987654}""", "Invalid message_id")]
    [InlineData("""{"session_id": "session_out_ok2", "response": "hi", "timestamp": "soon"}""", "Invalid timestamp")]
    [InlineData("""[1, 2]""", "Invalid JSON")]
    public async Task Bad_replies_are_400s(string body, string error)
    {
        await app.Anonymous().PostMessageAsync("session_out_ok2", "question");
        var response = await app.Broca().PostRawAsync("outbox", body);
        await response.AssertErrorAsync(400, error);
    }

    [Fact]
    public async Task A_reply_may_name_the_message_it_answers_but_only_in_its_own_session()
    {
        var mine = await (await app.Anonymous().PostMessageAsync("session_out_mine", "q")).DataAsync();
        var theirs = await (await app.Anonymous().PostMessageAsync("session_out_theirs", "q")).DataAsync();

        var ok = await app.Broca().PostJsonAsync("outbox", new { session_id = "session_out_mine", response = "a", message_id = mine.GetProperty("message_id").GetInt64() });
        var foreign = await app.Broca().PostJsonAsync("outbox", new { session_id = "session_out_mine", response = "a", message_id = theirs.GetProperty("message_id").GetInt64() });

        Assert.Equal(mine.GetProperty("message_id").GetInt64(), (await ok.DataAsync()).GetProperty("message_id").GetInt64());
        await foreign.AssertErrorAsync(400, "Invalid message_id");
    }

    [Fact]
    public async Task A_refused_reply_leaves_its_session_and_messages_as_they_were()
    {
        var mine = await (await app.Anonymous().PostMessageAsync("session_out_refused", "q")).DataAsync();
        var theirs = await (await app.Anonymous().PostMessageAsync("session_out_refused_other", "q")).DataAsync();
        var lastActive = app.Scalar("SELECT last_active FROM web_chat_sessions WHERE session_id = 'session_out_refused'");

        var foreign = await app.Broca().PostJsonAsync("outbox", new { session_id = "session_out_refused", response = "a", message_id = theirs.GetProperty("message_id").GetInt64() });

        await foreign.AssertErrorAsync(400, "Invalid message_id");
        Assert.Equal(lastActive, app.Scalar("SELECT last_active FROM web_chat_sessions WHERE session_id = 'session_out_refused'"));
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_responses WHERE session_id = 'session_out_refused'"));
        Assert.Null(app.Scalar("SELECT answered_at FROM web_chat_messages WHERE id = $id", ("$id", theirs.GetProperty("message_id").GetInt64())));
        Assert.Null(app.Scalar("SELECT answered_at FROM web_chat_messages WHERE id = $id", ("$id", mine.GetProperty("message_id").GetInt64())));
    }

    [Fact]
    public async Task Replies_sent_at_once_to_one_session_each_answer_a_message_of_their_own()
    {
        const int Count = 8;
        var asked = new List<long>();
        for (var i = 0; i < Count; i++)
        {
            asked.Add((await (await app.Anonymous().PostMessageAsync("session_out_burst", $"question {i}")).DataAsync()).GetProperty("message_id").GetInt64());
        }
        (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100")).EnsureSuccessStatusCode();

        var replies = await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
            await (await app.Broca().PostReplyAsync("session_out_burst", $"answer {i}")).DataAsync()));

        Assert.Equal(asked, replies.Select(r => r.GetProperty("message_id").GetInt64()).Order());
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_out_burst' AND answered_at IS NULL"));
    }

    [Fact]
    public async Task Long_agent_replies_are_accepted_up_to_the_authenticated_body_limit()
    {
        await app.Anonymous().PostMessageAsync("session_out_long", "write me an essay");
        var essay = new string('e', 900_000);

        await (await app.Broca().PostReplyAsync("session_out_long", essay)).DataAsync();
        await (await app.Broca().PostReplyAsync("session_out_long", essay + essay)).AssertErrorAsync(413, "Request body too large");

        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_out_long")).DataAsync();
        Assert.Equal(essay, data.GetProperty("responses")[0].GetProperty("response").GetString());
    }
}
