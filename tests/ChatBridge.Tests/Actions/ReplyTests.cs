using System.Text.Json;
using ChatBridge.Tests.Realtime;

namespace ChatBridge.Tests.Actions;

/// <summary><c>reply</c>: a person answers from the admin console; every reply says who wrote it.</summary>
public sealed class ReplyTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_person_s_reply_is_stored_as_admin_and_an_agent_s_as_agent_everywhere_replies_are_read()
    {
        var session = Sessions.New();
        var message = await (await app.Anonymous().PostMessageAsync(session, "Is anyone there?")).DataAsync();
        var messageId = message.GetProperty("message_id").GetInt64();
        await (await app.Broca().PostReplyAsync(session, "I am an agent.")).DataAsync();

        var stored = await (await app.Admin().PostJsonAsync("reply", new { session_id = session, response = "Sam here, a person.", message_id = messageId })).DataAsync();

        Assert.True(stored.GetProperty("response_id").GetInt64() > 0);
        Assert.Equal(session, stored.GetProperty("session_id").GetString());
        Assert.Equal(messageId, stored.GetProperty("message_id").GetInt64());
        BridgeRequests.AssertTimestamp(stored.GetProperty("timestamp").GetString());

        string[] expected = ["agent:I am an agent.", "admin:Sam here, a person."];
        var responses = await (await app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id={session}")).DataAsync();
        Assert.Equal(expected, Authored(responses.GetProperty("responses")));
        var history = await (await app.Anonymous().GetAsync($"/api/v1/?action=history&session_id={session}")).DataAsync();
        Assert.Equal(expected, Authored(history.GetProperty("responses")));
        var transcript = await (await app.Admin().GetAsync($"/api/v1/?action=session_messages&session_id={session}")).DataAsync();
        Assert.Equal(expected, Authored(transcript.GetProperty("responses")));
        Assert.Equal("answered", Assert.Single(transcript.GetProperty("messages").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_open_chat_socket_gets_a_person_s_reply_at_once_marked_admin()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello?");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        var stored = await (await app.Admin().PostJsonAsync("reply", new { session_id = session, response = "A person answers." })).DataAsync();

        var reply = await socket.NextAsync("response");
        Assert.Equal(stored.GetProperty("response_id").GetInt64(), reply.GetProperty("id").GetInt64());
        Assert.Equal("A person answers.", reply.GetProperty("response").GetString());
        Assert.Equal("admin", reply.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Agent_replies_on_the_socket_are_marked_agent()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello?");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        await (await app.Broca().PostReplyAsync(session, "An agent answers.")).DataAsync();

        Assert.Equal("agent", (await socket.NextAsync("response")).GetProperty("author").GetString());
    }

    [Fact]
    public async Task The_api_key_cannot_write_as_a_person()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello?");

        await (await app.Broca().PostJsonAsync("reply", new { session_id = session, response = "pretending" })).AssertErrorAsync(401, "Invalid admin key");
        await (await app.Anonymous().PostJsonAsync("reply", new { session_id = session, response = "pretending" })).AssertErrorAsync(401, "Authentication required");

        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_responses WHERE session_id = $s", ("$s", session)));
    }

    [Theory]
    [InlineData("""{"response": "hi"}""", "Missing required fields")]
    [InlineData("""{"session_id": "session_reply_bad"}""", "Missing required fields")]
    [InlineData("""{"session_id": "not a session", "response": "hi"}""", "Invalid session ID")]
    [InlineData("""{"session_id": "session_reply_bad", "response": 5}""", "Invalid response")]
    [InlineData("""{"session_id": "session_reply_bad", "response": "   "}""", "Invalid response")]
    [InlineData("""{"session_id": "session_reply_bad", "response": "hi", "message_id": "seven"}""", "Invalid message_id")]
    [InlineData("""{"session_id": "session_reply_bad", "response": "hi", "message_id": 987654}""", "Invalid message_id")]
    [InlineData("""{"session_id": "session_reply_nobody", "response": "hi"}""", "Invalid session")]
    [InlineData("""not json""", "Invalid JSON")]
    public async Task Bad_replies_are_400s_and_store_nothing(string body, string error)
    {
        await app.Anonymous().PostMessageAsync("session_reply_bad", "question");

        await (await app.Admin().PostRawAsync("reply", body)).AssertErrorAsync(400, error);

        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM web_chat_responses WHERE session_id LIKE 'session_reply_%'"));
    }

    private static IEnumerable<string> Authored(JsonElement responses) =>
        responses.EnumerateArray().Select(r => $"{r.GetProperty("author").GetString()}:{r.GetProperty("response").GetString()}");
}
