using ChatBridge.Configuration;
using ChatBridge.Http;
using ChatBridge.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBridge.Tests.Realtime;

/// <remarks>The host's clock stands still, so an indicator ends by itself only when a test moves the clock past its timeout.</remarks>
public sealed class TypingTests(FrozenBridgeApp app) : IClassFixture<FrozenBridgeApp>
{
    private TimeSpan Timeout => app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.TypingTimeout;

    [Fact]
    public async Task Typing_start_and_stop_reach_every_socket_of_the_session()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        var started = await (await app.Broca().PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        Assert.Equal(session, started.GetProperty("session_id").GetString());
        Assert.Equal("start", started.GetProperty("state").GetString());
        Assert.Equal("start", (await socket.NextAsync("typing")).GetProperty("state").GetString());

        await (await app.Broca().PostJsonAsync("typing", new { session_id = session, state = "stop" })).DataAsync();
        Assert.Equal("stop", (await socket.NextAsync("typing")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Typing_start_without_stop_expires_by_itself()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        await (await app.Broca().PostJsonAsync("typing", new { session_id = session, state = "start" })).DataAsync();
        Assert.Equal("start", (await socket.NextAsync("typing")).GetProperty("state").GetString());

        var typing = app.Services.GetRequiredService<TypingTimers>();
        app.Time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.True(typing.IsActive(session));
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(typing.IsActive(session));
        Assert.Equal("stop", (await socket.NextAsync("typing")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_reply_ends_the_typing_indicator()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        await app.Broca().PostJsonAsync("typing", new { session_id = session, state = "start" });
        Assert.Equal("start", (await socket.NextAsync("typing")).GetProperty("state").GetString());
        await app.Broca().PostReplyAsync(session, "Done thinking");

        Assert.Equal("stop", (await socket.NextAsync("typing")).GetProperty("state").GetString());
        Assert.Equal("Done thinking", (await socket.NextAsync("response")).GetProperty("response").GetString());
    }

    [Fact]
    public async Task A_socket_that_connects_while_broca_is_typing_is_told_so()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await app.Broca().PostJsonAsync("typing", new { session_id = session, state = "start" });

        await using var socket = await EventSocket.ConnectAsync(app, session);

        Assert.Equal("start", (await socket.NextAsync("typing")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Typing_for_an_unknown_session_is_invalid_session() =>
        await (await app.Broca().PostJsonAsync("typing", new { session_id = Sessions.New(), state = "start" }))
            .AssertErrorAsync(400, Errors.InvalidSession);

    [Theory]
    [InlineData("""{"state": "start"}""", Errors.MissingRequiredFields)]
    [InlineData("""{"session_id": "nope", "state": "start"}""", Errors.InvalidSessionId)]
    [InlineData("""{"session_id": "session_typing_x", "state": "typing"}""", Errors.InvalidTypingState)]
    [InlineData("""{"session_id": "session_typing_x", "state": true}""", Errors.InvalidTypingState)]
    [InlineData("""[1]""", Errors.InvalidJson)]
    public async Task Typing_rejects_malformed_requests(string body, string error) =>
        await (await app.Broca().PostRawAsync("typing", body)).AssertErrorAsync(400, error);

    [Fact]
    public async Task Typing_needs_the_api_key() =>
        await (await app.Anonymous().PostJsonAsync("typing", new { session_id = Sessions.New(), state = "start" }))
            .AssertErrorAsync(401, Errors.AuthenticationRequired);
}
