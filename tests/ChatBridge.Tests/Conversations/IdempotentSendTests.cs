using System.Text.Json;
using ChatBridge.Tests.Attachments;

namespace ChatBridge.Tests.Conversations;

public sealed class IdempotentSendTests
{
    private const string SendId = "6f1c2b9e-4d3a-4f8e-9b7c-0a1d2e3f4a5b";

    [Fact]
    public async Task The_same_client_message_id_twice_stores_one_message_and_answers_alike()
    {
        using var app = new BridgeApp();
        var first = await SendAsync(app.Anonymous(), "session_idem_twice", "hello", SendId);
        app.Clock.Advance(TimeSpan.FromSeconds(3));
        var second = await SendAsync(app.Anonymous(), "session_idem_twice", "hello", SendId);

        Assert.Equal(first.ToString(), second.ToString());
        Assert.True(first.GetProperty("is_new_user").GetBoolean());
        Assert.Equal(1L, app.Count("web_chat_messages"));
        Assert.Equal(SendId, app.Scalar("SELECT client_message_id FROM web_chat_messages"));
        var inbox = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        Assert.Single(inbox.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task The_repeat_echoes_the_first_sends_client_timestamp()
    {
        using var app = new BridgeApp();
        var body = new { session_id = "session_idem_time", message = "hi", timestamp = "2026-11-24T10:15:30.123Z", client_message_id = SendId };
        var first = await (await app.Anonymous().PostJsonAsync("messages", body)).DataAsync();
        var second = await (await app.Anonymous().PostJsonAsync("messages", body with { timestamp = "2026-11-24T10:15:39.000Z" })).DataAsync();

        Assert.Equal("2026-11-24T10:15:30.123Z", second.GetProperty("timestamp").GetString());
        Assert.Equal(first.GetProperty("message_id").GetInt64(), second.GetProperty("message_id").GetInt64());
    }

    [Fact]
    public async Task Ids_are_per_session_and_sends_without_one_are_never_merged()
    {
        using var app = new BridgeApp();
        var a = await SendAsync(app.Anonymous(), "session_idem_a", "hi", SendId);
        var b = await SendAsync(app.Anonymous(), "session_idem_b", "hi", SendId);
        await SendAsync(app.Anonymous(), "session_idem_a", "again", null);
        await SendAsync(app.Anonymous(), "session_idem_a", "again", null);

        Assert.NotEqual(a.GetProperty("message_id").GetInt64(), b.GetProperty("message_id").GetInt64());
        Assert.Equal(4L, app.Count("web_chat_messages"));
    }

    [Theory]
    [InlineData("\"not-a-uuid\"")]
    [InlineData("42")]
    [InlineData("\"6f1c2b9e4d3a4f8e9b7c0a1d2e3f4a5b\"")]
    [InlineData("\"{6f1c2b9e-4d3a-4f8e-9b7c-0a1d2e3f4a5b}\"")]
    [InlineData("\"\"")]
    public async Task A_client_message_id_that_is_not_a_uuid_is_a_400(string json)
    {
        using var app = new BridgeApp();
        var response = await app.Anonymous().PostRawAsync("messages", $$"""{"session_id":"session_idem_bad","message":"hi","client_message_id":{{json}}}""");

        await response.AssertErrorAsync(400, "Invalid client_message_id");
        Assert.Equal(0L, app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task A_repeat_after_a_restart_or_on_another_instance_answers_the_first()
    {
        using var app = new BridgeApp();
        var first = await SendAsync(app.Anonymous(), "session_idem_restart", "hello", SendId);
        using var restarted = app.SecondInstance();
        var second = await SendAsync(restarted.Anonymous(), "session_idem_restart", "hello", SendId.ToUpperInvariant());

        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(1L, app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task A_repeated_send_with_attachments_attaches_them_once()
    {
        using var app = new BridgeApp();
        var user = app.Anonymous();
        var photo = await user.UploadedAsync("session_idem_files", TestFiles.Png(), "photo.png");
        var body = new { session_id = "session_idem_files", message = "look", attachments = new[] { photo.Id() }, client_message_id = SendId };

        var first = await (await user.PostJsonAsync("messages", body)).DataAsync();
        var second = await (await user.PostJsonAsync("messages", body)).DataAsync();

        Assert.Equal(first.GetProperty("message_id").GetInt64(), second.GetProperty("message_id").GetInt64());
        Assert.Equal(1L, app.Count("web_chat_messages"));
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM chatbridge_attachments WHERE message_id = $m", ("$m", first.GetProperty("message_id").GetInt64())));
    }

    [Fact]
    public async Task Concurrent_repeats_store_one_message()
    {
        using var app = new BridgeApp();
        using var other = app.SecondInstance();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            SendAsync((i % 2 == 0 ? app : other).Anonymous(), "session_idem_race", "hello", SendId)));

        Assert.Single(answers.Select(a => a.GetProperty("message_id").GetInt64()).Distinct());
        Assert.Single(answers.Select(a => a.GetProperty("timestamp").GetString()).Distinct());
        Assert.Equal(1L, app.Count("web_chat_messages"));
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, string sessionId, string message, string? clientMessageId) =>
        await (await client.PostJsonAsync("messages", clientMessageId is null
            ? new { session_id = sessionId, message }
            : (object)new { session_id = sessionId, message, client_message_id = clientMessageId })).DataAsync();
}
