using System.Net.WebSockets;
using System.Text;
using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Realtime;

/// <summary>A host with tiny WebSocket limits, so each one is quick to reach.</summary>
public sealed class TightSocketsApp : BridgeApp
{
    public TightSocketsApp() => Settings = new Dictionary<string, string?>
    {
        ["ChatBridge:WebSockets:MaxPerClient"] = "2",
        ["ChatBridge:WebSockets:MaxMessageBytes"] = "64",
        ["ChatBridge:WebSockets:SendQueueCapacity"] = "4",
    };
}

public sealed class WebSocketLimitTests(TightSocketsApp app) : IClassFixture<TightSocketsApp>
{
    [Fact]
    public async Task Sockets_over_the_per_client_limit_are_refused_with_429_until_one_closes()
    {
        var session = Sessions.New();
        var first = await EventSocket.ConnectAsync(app, session);
        await using var second = await EventSocket.ConnectAsync(app, session);

        var refused = await (await app.Anonymous().GetAsync(EventSocket.Address(session).PathAndQuery)).AssertErrorAsync(429, Errors.RateLimitExceeded);
        Assert.True(refused.GetProperty("retry_after").GetInt32() > 0);
        var upgrade = await Assert.ThrowsAsync<InvalidOperationException>(() => EventSocket.ConnectAsync(app, session));
        Assert.Contains("429", upgrade.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        await using var third = await ConnectWhenFreedAsync(session);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_closes_the_socket_with_MessageTooBig()
    {
        await using var socket = await EventSocket.ConnectAsync(app, Sessions.New());

        await socket.Socket.SendAsync(Encoding.UTF8.GetBytes(new string('x', 100)), WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.NextCloseAsync());
    }

    [Fact]
    public async Task Small_client_messages_are_ignored()
    {
        var session = Sessions.New();
        await app.Anonymous().PostMessageAsync(session, "Hello");
        await using var socket = await EventSocket.ConnectAsync(app, session);

        await socket.Socket.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, CancellationToken.None);
        await app.Broca().PostReplyAsync(session, "still here");

        Assert.Equal("still here", (await socket.NextAsync("response")).GetProperty("response").GetString());
    }

    [Fact]
    public async Task A_socket_that_falls_behind_is_closed_so_it_reconnects_with_after_id()
    {
        var session = Sessions.New();
        await using var socket = await EventSocket.ConnectAsync(app, session);
        var hub = app.Services.GetRequiredService<NotificationHub>();

        // Published synchronously, far faster than any socket drains a queue of four.
        for (var i = 0; i < 10_000; i++)
        {
            hub.Deliver(new TypingEvent(session, "start"));
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.NextCloseAsync());
    }

    [Fact]
    public async Task Server_shutdown_closes_sockets_with_EndpointUnavailable()
    {
        var own = new TightSocketsApp();
        var socket = await EventSocket.ConnectAsync(own, Sessions.New());

        var stopping = Task.Run(own.Dispose);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await socket.NextCloseAsync());
        await socket.DisposeAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The server frees a closed socket's slot just after the close handshake.</summary>
    private async Task<EventSocket> ConnectWhenFreedAsync(string session)
    {
        EventSocket? socket = null;
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                socket = await EventSocket.ConnectAsync(app, session);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }, "a freed socket slot");
        return socket!;
    }
}
