using System.Net.WebSockets;
using ChatBridge.Configuration;
using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using Microsoft.Extensions.Options;

namespace ChatBridge.Chat;

/// <summary>
/// <c>/api/v1/ws?session_id=…[&amp;after_id=N]</c>: replays the session's responses after <c>after_id</c>, then pushes
/// its live events. The hub subscription is taken before the replay query, so nothing committed in between is
/// lost, and a live response that the replay already sent is dropped by id.
/// </summary>
internal sealed class SessionSocketEndpoint(
    ISessionStore sessions,
    SessionGuard guard,
    NotificationHub hub,
    TypingTimers typing,
    SocketLimiter limiter,
    IOptions<ChatBridgeOptions> options,
    IHostApplicationLifetime lifetime,
    BridgeMetrics metrics,
    ILogger<SessionSocketEndpoint> logger)
{
    public const string Route = "/api/v1/ws";

    /// <summary>How long a client may take to acknowledge our close, or to accept one event, before it is dropped.</summary>
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(10);

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var sessionId = SessionIds.FromQuery(http);
        var afterId = QueryParams.OptionalId(QueryParams.Single(http, "after_id"), "after_id");
        // A browser cannot set a header on a WebSocket, so it offers the token as a subprotocol.
        var token = SessionToken.Read(http, fromSubProtocol: true);
        if ((sessionId.Error ?? afterId.Error ?? token.Error) is { } invalid)
        {
            return invalid;
        }
        if ((await guard.CheckAsync(http, sessionId.Value, token.Value, http.RequestAborted)).Refusal is { } refused)
        {
            return refused;
        }
        using var lease = limiter.TryAcquire(ClientAddress.Of(http));
        if (lease is null)
        {
            metrics.RateLimitRefused("websockets_per_client");
            return Envelope.RateLimited(retryAfterSeconds: 5);
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return Envelope.BadRequest(Errors.WebSocketRequired);
        }

        using var events = hub.Subscribe(sessionId.Value, options.Value.WebSockets.SendQueueCapacity);
        // Read once subscribed and before the handshake's answer: a change after this reaches the socket as an event,
        // so a typing start the client causes once connected is not told twice.
        var typingActive = typing.IsActive(sessionId.Value);
        var missed = await sessions.GetResponsesAsync(
            sessionId.Value, null, afterId.Value, ClientAddress.Of(http), http.Request.Headers.UserAgent.ToString(), token.Value, http.RequestAborted);
        // Counted before the handshake's answer goes out: a client that has its socket finds it counted.
        metrics.WebSocketOpened();
        Ending ended;
        try
        {
            // The token's own subprotocol is never echoed: the answer names only what the client speaks.
            using var socket = await http.WebSockets.AcceptWebSocketAsync(
                http.WebSockets.WebSocketRequestedProtocols.Contains(SessionToken.SubProtocol) ? SessionToken.SubProtocol : null);
            ended = await RunAsync(socket, events, missed, afterId.Value ?? 0, typingActive);
        }
        finally
        {
            metrics.WebSocketClosed();
        }
        logger.LogDebug("WebSocket for a session ended: {Reason}", ended);
        return Results.Empty;
    }

    private async Task<Ending> RunAsync(WebSocket socket, Subscription events, IReadOnlyList<ResponseItem> missed, long afterId, bool typingActive)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        var receiving = ReceiveAsync(socket, stop);
        try
        {
            var ending = await SendAsync(socket, events, missed, afterId, typingActive, stop.Token);
            if (ending == Ending.Stopped)
            {
                ending = lifetime.ApplicationStopping.IsCancellationRequested ? Ending.Shutdown : await receiving;
            }
            await CloseAsync(socket, ending, receiving);
            return ending;
        }
        finally
        {
            // The receive loop must end before the socket and its stop token are disposed.
            if (!receiving.IsCompleted)
            {
                socket.Abort();
            }
            await receiving;
        }
    }

    private async Task CloseAsync(WebSocket socket, Ending ending, Task<Ending> receiving)
    {
        var (status, description) = ending switch
        {
            Ending.ClientClosed => (WebSocketCloseStatus.NormalClosure, ""),
            Ending.MessageTooBig => (WebSocketCloseStatus.MessageTooBig, "Message too big"),
            Ending.Overflow => (WebSocketCloseStatus.PolicyViolation, "Too far behind: reconnect with after_id"),
            Ending.Shutdown => (WebSocketCloseStatus.EndpointUnavailable, "Server shutting down"),
            _ => ((WebSocketCloseStatus?)null, ""),
        };
        if (ending == Ending.Overflow)
        {
            logger.LogInformation("Closed a WebSocket whose client fell {Capacity} events behind", options.Value.WebSockets.SendQueueCapacity);
        }
        if (status is null || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(PeerTimeout);
            await socket.CloseOutputAsync(status.Value, description, timeout.Token);
            // Let the client answer our close, so it sees a clean close rather than a reset.
            if (ending is Ending.Overflow or Ending.Shutdown)
            {
                await receiving.WaitAsync(timeout.Token);
            }
            else if (ending == Ending.MessageTooBig)
            {
                var discard = new byte[1024];
                while ((await socket.ReceiveAsync(discard.AsMemory(), timeout.Token)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    /// <summary>The only writer on the socket (a WebSocket allows one send at a time): replay, then live events.</summary>
    private static async Task<Ending> SendAsync(
        WebSocket socket, Subscription events, IReadOnlyList<ResponseItem> missed, long afterId, bool typingActive, CancellationToken stop)
    {
        var replayed = missed.Select(r => r.Id).ToHashSet();
        try
        {
            foreach (var response in missed)
            {
                await SendAsync(socket, RealtimeEvent.Response(response));
            }
            if (typingActive)
            {
                await SendAsync(socket, RealtimeEvent.Typing(TypingState.Start));
            }
            await foreach (var evt in events.Events.ReadAllAsync(stop))
            {
                if (evt.ResponseId is { } id && (id <= afterId || replayed.Contains(id)))
                {
                    continue;
                }
                await SendAsync(socket, evt);
            }
            return Ending.Overflow;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Ending.Stopped;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return Ending.Gone;
        }
    }

    private static async Task SendAsync(WebSocket socket, RealtimeEvent evt)
    {
        // Cancelling a send aborts the socket, which is what a client that stopped reading deserves.
        using var timeout = new CancellationTokenSource(PeerTimeout);
        await socket.SendAsync(evt.Json, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>
    /// Reads until the client closes; clients have nothing to say, so anything they send is discarded, but only up to
    /// <see cref="WebSocketLimits.MaxMessageBytes"/> per message. Never cancelled: cancelling a receive aborts the socket.
    /// </summary>
    private async Task<Ending> ReceiveAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[1024];
        var size = 0L;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return Ending.ClientClosed;
                }
                size += result.Count;
                if (size > options.Value.WebSockets.MaxMessageBytes)
                {
                    return Ending.MessageTooBig;
                }
                if (result.EndOfMessage)
                {
                    size = 0;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return Ending.Gone;
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private enum Ending
    {
        /// <summary>The client sent a close frame.</summary>
        ClientClosed,

        /// <summary>The client sent a message over the limit.</summary>
        MessageTooBig,

        /// <summary>The client fell a whole send queue behind.</summary>
        Overflow,

        Shutdown,

        /// <summary>Sending stopped because the receive loop ended or the server is stopping; which one is decided after.</summary>
        Stopped,

        /// <summary>The connection broke; nothing left to close.</summary>
        Gone,
    }
}
