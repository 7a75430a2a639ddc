namespace ChatBridge.Tests.Actions;

public sealed class MessagesTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task The_first_message_creates_the_session_and_says_so()
    {
        var first = await (await app.Anonymous().PostMessageAsync("session_msg_first", "Hello")).DataAsync();
        var second = await (await app.Anonymous().PostMessageAsync("session_msg_first", "Again")).DataAsync();

        Assert.True(first.GetProperty("is_new_user").GetBoolean());
        Assert.False(second.GetProperty("is_new_user").GetBoolean());
        Assert.Equal("session_msg_first", first.GetProperty("session_id").GetString());
        Assert.True(second.GetProperty("message_id").GetInt64() > first.GetProperty("message_id").GetInt64());
    }

    [Fact]
    public async Task The_uid_is_16_lowercase_hex_and_fixed_for_the_session()
    {
        var first = await (await app.Anonymous().PostMessageAsync("session_msg_uid", "one")).DataAsync();
        var second = await (await app.Anonymous().PostMessageAsync("session_msg_uid", "two")).DataAsync();
        var other = await (await app.Anonymous().PostMessageAsync("session_msg_uid_other", "three")).DataAsync();

        Assert.Matches("^[0-9a-f]{16}$", first.GetProperty("uid").GetString());
        Assert.Equal(first.GetProperty("uid").GetString(), second.GetProperty("uid").GetString());
        Assert.NotEqual(first.GetProperty("uid").GetString(), other.GetProperty("uid").GetString());
    }

    [Fact]
    public async Task The_timestamp_echoes_the_clients_value()
    {
        var data = await (await app.Anonymous().PostJsonAsync("messages", new
        {
            session_id = "session_msg_ts",
            message = "hi",
            timestamp = "2026-11-24T10:15:30.123+02:00",
        })).DataAsync();

        Assert.Equal("2026-11-24T10:15:30.123+02:00", data.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Without_a_client_timestamp_the_server_time_is_returned()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var data = await (await app.Anonymous().PostMessageAsync("session_msg_server_ts", "hi")).DataAsync();

        var text = data.GetProperty("timestamp").GetString();
        BridgeRequests.AssertTimestamp(text);
        Assert.InRange(DateTimeOffset.Parse(text!, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task The_session_records_the_clients_address_and_agent()
    {
        var agentId = app.AddAgent("Msg Agent");

        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_msg_agent", message = "hi", agent_id = agentId })).DataAsync();

        var session = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_msg_agent")).DataAsync();
        Assert.Equal(agentId, session.GetProperty("session").GetProperty("agent_id").GetInt64());
        var inbox = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
        var claimed = inbox.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("session_id").GetString() == "session_msg_agent");
        Assert.Equal(agentId, claimed.GetProperty("agent_id").GetInt64());
    }

    [Fact]
    public async Task A_message_to_another_agent_moves_the_session_and_one_without_an_agent_leaves_it()
    {
        var (from, to) = (app.AddAgent("Switch From"), app.AddAgent("Switch To"));

        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_msg_switch", message = "hi", agent_id = from })).DataAsync();
        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_msg_switch", message = "and you?", agent_id = to })).DataAsync();
        var switched = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_msg_switch")).DataAsync();
        await (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_msg_switch", message = "still there?" })).DataAsync();
        var kept = await (await app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_msg_switch")).DataAsync();

        Assert.Equal(to, switched.GetProperty("session").GetProperty("agent_id").GetInt64());
        Assert.Equal(to, kept.GetProperty("session").GetProperty("agent_id").GetInt64());
    }

    [SqliteFact]
    public async Task A_session_another_program_left_with_an_agent_that_is_no_id_takes_the_messages_agent()
    {
        var agentId = app.AddAgent("Msg Legacy Agent");
        // SQLite keeps text that is no number in an INTEGER column as text; an older writer may have left a name there.
        app.ExecuteWithoutForeignKeys("""
            INSERT INTO web_chat_sessions (session_id, agent_id, created_at, last_active)
            VALUES ('session_msg_legacy_agent', 'athena', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')
            """);

        var sent = await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_msg_legacy_agent", message = "hi", agent_id = agentId });

        await sent.DataAsync();
        Assert.Equal(agentId, app.Scalar("SELECT agent_id FROM web_chat_sessions WHERE session_id = 'session_msg_legacy_agent'"));
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("\"one\"")]
    [InlineData("-3")]
    [InlineData("1.5")]
    public async Task An_unknown_or_malformed_agent_is_refused(string agentJson)
    {
        var response = await app.Anonymous().PostRawAsync("messages", $$"""{"session_id": "session_msg_bad_agent", "message": "hi", "agent_id": {{agentJson}}}""");
        await response.AssertErrorAsync(400, "Invalid agent_id");
    }

    [Fact]
    public async Task The_stored_text_is_exactly_what_was_sent_once_trimmed()
    {
        const string Text = "<b>bold</b> & \"quotes\" — ünïcödé 😀\nsecond line";
        var data = await (await app.Anonymous().PostMessageAsync("session_msg_text", $"  {Text}  ")).DataAsync();

        var history = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_msg_text")).DataAsync();
        var stored = history.GetProperty("messages").EnumerateArray().Single();
        Assert.Equal(data.GetProperty("message_id").GetInt64(), stored.GetProperty("id").GetInt64());
        Assert.Equal(Text, stored.GetProperty("message").GetString());
    }
}
