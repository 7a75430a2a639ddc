using System.Text;

namespace ChatBridge.Tests.Api;

/// <summary>The contract's input rules at their boundaries, on the public messages action.</summary>
public sealed class ValidationTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_session_id_of_64_characters_is_accepted_and_65_is_not()
    {
        var id64 = "session_" + new string('a', 56);
        var id65 = "session_" + new string('a', 57);

        await (await app.Anonymous().PostMessageAsync(id64, "hi")).DataAsync();
        await (await app.Anonymous().PostMessageAsync(id65, "hi")).AssertErrorAsync(400, "Invalid session ID");
    }

    [Theory]
    [InlineData("session_")]
    [InlineData("sess_abc")]
    [InlineData("session_abc-def")]
    [InlineData("session_abc def")]
    [InlineData("session_abc\n")]
    [InlineData("SESSION_abc")]
    [InlineData("session_ábc")]
    [InlineData("")]
    public async Task Session_ids_outside_the_pattern_are_refused(string sessionId)
    {
        var response = await app.Anonymous().PostMessageAsync(sessionId, "hi");
        await response.AssertErrorAsync(400, "Invalid session ID");
    }

    [Fact]
    public async Task A_message_of_max_length_is_accepted_and_one_more_is_not()
    {
        await (await app.Anonymous().PostMessageAsync("session_len_ok", new string('x', 10000))).DataAsync();
        await (await app.Anonymous().PostMessageAsync("session_len_ok", new string('x', 10001))).AssertErrorAsync(400, "Invalid message");
    }

    [Fact]
    public async Task Length_counts_code_points_not_utf16_units()
    {
        // 10000 emoji are 20000 UTF-16 units but 10000 characters.
        // Sent unescaped, as a browser's JSON.stringify does: 40 000 bytes of UTF-8, within the body limit.
        var emoji = string.Concat(Enumerable.Repeat("😀", 10000));
        var data = await (await app.Anonymous().PostRawAsync("messages", $$"""{"session_id": "session_emoji", "message": "{{emoji}}"}""")).DataAsync();
        await (await app.Anonymous().PostRawAsync("messages", $$"""{"session_id": "session_emoji", "message": "{{emoji}}😀"}""")).AssertErrorAsync(400, "Invalid message");

        // The body spans many buffers, with characters split across their edges: it must arrive whole.
        Assert.Equal(emoji, app.Scalar("SELECT message FROM web_chat_messages WHERE id = @id", ("@id", data.GetProperty("message_id").GetInt64())));
    }

    [Fact]
    public async Task Messages_are_trimmed_before_the_length_check_and_storage()
    {
        var data = await (await app.Anonymous().PostMessageAsync("session_trim", "   " + new string('y', 10000) + "\n\t ")).DataAsync();
        Assert.Equal(new string('y', 10000), app.Scalar("SELECT message FROM web_chat_messages WHERE id = $id", ("$id", data.GetProperty("message_id").GetInt64())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t \r\n")]
    [InlineData("\u00a0\u2003")]
    public async Task Empty_or_whitespace_messages_are_refused(string message)
    {
        var response = await app.Anonymous().PostMessageAsync("session_blank", message);
        await response.AssertErrorAsync(400, "Invalid message");
    }

    [Theory]
    [InlineData("""{"session_id": "session_types", "message": 42}""")]
    [InlineData("""{"session_id": "session_types", "message": null}""")]
    [InlineData("""{"session_id": "session_types", "message": ["hi"]}""")]
    [InlineData("""{"session_id": "session_types", "message": {"text": "hi"}}""")]
    [InlineData("""{"session_id": "session_types", "message": true}""")]
    [InlineData("""{"session_id": "session_types", "message": "\ud800"}""")]
    public async Task A_message_that_is_not_a_string_is_invalid(string body)
    {
        var response = await app.Anonymous().PostRawAsync("messages", body);
        await response.AssertErrorAsync(400, "Invalid message");
    }

    [Theory]
    [InlineData("""{"session_id": 12345, "message": "hi"}""")]
    [InlineData("""{"session_id": null, "message": "hi"}""")]
    [InlineData("""{"session_id": ["session_a"], "message": "hi"}""")]
    public async Task A_session_id_that_is_not_a_string_is_invalid(string body)
    {
        var response = await app.Anonymous().PostRawAsync("messages", body);
        await response.AssertErrorAsync(400, "Invalid session ID");
    }

    [Theory]
    [InlineData("""{"message": "hi"}""")]
    [InlineData("""{"session_id": "session_missing"}""")]
    [InlineData("""{}""")]
    public async Task Missing_fields_are_reported_as_such(string body)
    {
        var response = await app.Anonymous().PostRawAsync("messages", body);
        await response.AssertErrorAsync(400, "Missing required fields");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"session_id\": \"session_a\", ")]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Bodies_that_are_not_a_json_object_are_invalid_json(string body)
    {
        var response = await app.Anonymous().PostRawAsync("messages", body);
        await response.AssertErrorAsync(400, "Invalid JSON");
    }

    [Fact]
    public async Task Invalid_utf8_is_invalid_json()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var response = await app.Anonymous().PostAsync("/api/v1/?action=messages", content);
        await response.AssertErrorAsync(400, "Invalid JSON");
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_without_a_500()
    {
        var body = new string('[', 5000) + new string(']', 5000);
        var response = await app.Anonymous().PostRawAsync("messages", body);
        await response.AssertErrorAsync(400, "Invalid JSON");
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_on_public_actions()
    {
        var padding = new string('z', 64 * 1024);
        var response = await app.Anonymous().PostRawAsync("messages", $$"""{"session_id": "session_big", "message": "hi", "pad": "{{padding}}"}""");
        await response.AssertErrorAsync(413, "Request body too large");
    }

    [Fact]
    public async Task A_body_over_the_limit_without_content_length_is_refused_too()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"session_id": "session_big", "message": "{{new string('q', 70000)}}"}""")));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/?action=messages") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await app.Anonymous().SendAsync(request);
        await response.AssertErrorAsync(413, "Request body too large");
    }

    [Theory]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=1.5", "offset")]
    [InlineData("since=yesterday-ish", "since")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string query, string name)
    {
        var response = await app.Broca().GetAsync($"/api/v1/?action=inbox&{query}");
        await response.AssertErrorAsync(400, $"Invalid {name} parameter");
    }

    [Fact]
    public async Task Sessions_active_flag_must_be_a_boolean()
    {
        var response = await app.Admin().GetAsync("/api/v1/?action=sessions&active=maybe");
        await response.AssertErrorAsync(400, "Invalid active parameter");
    }

    [Fact]
    public async Task An_unparseable_client_timestamp_is_refused()
    {
        var response = await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_ts", message = "hi", timestamp = "the day after" });
        await response.AssertErrorAsync(400, "Invalid timestamp");
    }
}
