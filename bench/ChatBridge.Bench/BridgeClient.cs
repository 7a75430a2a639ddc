using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace ChatBridge.Bench;

/// <summary>
/// The bridge's API as the browser and Broca use it, over one pooled HTTP/1.1 keep-alive handler shared by all
/// workers (a client per request would measure connection set-up instead of the bridge).
/// </summary>
internal sealed class BridgeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly AuthenticationHeaderValue _brocaAuth;

    /// <summary>Every failed call, whichever workload made it (shared by the clients of all instances).</summary>
    public ErrorTally Failures { get; }

    public BridgeClient(Uri baseAddress, string apiKey, int maxConnections, ErrorTally failures)
    {
        Failures = failures;
        _baseAddress = baseAddress;
        _brocaAuth = new AuthenticationHeaderValue("Bearer", apiKey);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>
    /// The stored message's id, or null when the bridge refused it. Sent as the chat page sends it: with the session's
    /// token and an id of its own for the send, so that every post pays for both checks.
    /// </summary>
    public async Task<long?> PostMessageAsync(string sessionId, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Action("messages"))
        {
            Content = Json(new { session_id = sessionId, message = text, client_message_id = Guid.NewGuid().ToString() }),
        };
        request.Headers.Add(SessionTokens.Header, SessionTokens.For(sessionId));
        using var response = await _http.SendAsync(request);
        return await IdOrNullAsync(response, "message_id");
    }

    /// <summary>The stored response's id, or null when the bridge refused it.</summary>
    public async Task<long?> PostOutboxAsync(string sessionId, string text, long? messageId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Action("outbox"))
        {
            Content = Json(messageId is { } id
                ? new { session_id = sessionId, response = text, message_id = id }
                : (object)new { session_id = sessionId, response = text }),
        };
        request.Headers.Authorization = _brocaAuth;
        using var response = await _http.SendAsync(request);
        return await IdOrNullAsync(response, "response_id");
    }

    /// <summary>A responses poll; the body is read in full but not parsed, so the client spends its CPU on requests.</summary>
    /// <param name="afterId">The cursor; null polls as a browser without one (or the old widget) does, for every reply.</param>
    public Task<bool> PollResponsesAsync(string sessionId, long? afterId) =>
        ReadAsync(Action(afterId is { } id ? $"responses&session_id={sessionId}&after_id={id}" : $"responses&session_id={sessionId}"), SessionTokens.For(sessionId));

    /// <summary>A GET whose body is read in full but not parsed; false (after tallying why) unless it is a 200.</summary>
    /// <param name="sessionToken">The session's <c>X-Session-Token</c>, if it is bound to one.</param>
    public async Task<bool> ReadAsync(Uri relative, string? sessionToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, relative);
        if (sessionToken is not null)
        {
            request.Headers.Add(SessionTokens.Header, sessionToken);
        }
        using var response = await _http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await TallyAsync(response);
            return false;
        }
        await response.Content.ReadAsByteArrayAsync();
        return true;
    }

    /// <summary>
    /// Claims up to 100 messages, long-polling up to <paramref name="waitSeconds"/>; null on an error answer. Also returns
    /// when the answer's headers arrived, so that parsing it counts as Broca's time, not the bridge's.
    /// </summary>
    public async Task<(IReadOnlyList<InboxMessage>? Messages, long ReceivedAt)> ClaimInboxAsync(int waitSeconds, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Action($"inbox&limit=100&wait={waitSeconds}"));
        request.Headers.Authorization = _brocaAuth;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var receivedAt = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await TallyAsync(response);
            return (null, receivedAt);
        }
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        InboxMessage[] messages = [.. body.RootElement.GetProperty("data").GetProperty("messages").EnumerateArray()
            .Select(m => new InboxMessage(m.GetProperty("id").GetInt64(), m.GetProperty("session_id").GetString()!))];
        return (messages, receivedAt);
    }

    /// <summary>A WebSocket on the session, as the chat page opens it.</summary>
    /// <param name="from">The connection's own end (<see cref="LocalAddressInvoker"/>); null for the system's choice.</param>
    public async Task<ClientWebSocket> ConnectAsync(string sessionId, HttpMessageInvoker? from, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // The server pings; client pings would only add traffic.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        // As a browser sends the session's token: it cannot set a header on a WebSocket.
        socket.Options.AddSubProtocol("chatbridge");
        socket.Options.AddSubProtocol("token." + SessionTokens.For(sessionId));
        var uri = new UriBuilder(new Uri(_baseAddress, $"api/v1/ws?session_id={sessionId}")) { Scheme = "ws" }.Uri;
        try
        {
            await (from is null ? socket.ConnectAsync(uri, ct) : socket.ConnectAsync(uri, from, ct));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task TallyAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        string? error = null;
        try
        {
            using var envelope = JsonDocument.Parse(body);
            error = envelope.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
            // Not an envelope: the status alone says enough.
        }
        Failures.Add($"{(int)response.StatusCode} {error}".TrimEnd());
    }

    private static Uri Action(string query) => new($"api/v1/?action={query}", UriKind.Relative);

    /// <summary>A JSON body with its Content-Length, as browsers and Broca send it (JsonContent would stream it chunked).</summary>
    private static ByteArrayContent Json(object value) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private async Task<long?> IdOrNullAsync(HttpResponseMessage response, string field)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await TallyAsync(response);
            return null;
        }
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return body.RootElement.GetProperty("data").GetProperty(field).GetInt64();
    }
}

internal sealed record InboxMessage(long Id, string SessionId);

/// <summary>A <c>response</c> event pushed over a session's WebSocket.</summary>
internal sealed record PushedResponse(long Id, string Response, long? MessageId)
{
    /// <summary>Reads events until a <c>response</c> arrives (skipping <c>status</c> and <c>typing</c>); null when the socket closes.</summary>
    public static async Task<PushedResponse?> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    throw new WebSocketException("A pushed event is larger than the benchmark's receive buffer");
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            using var evt = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (evt.RootElement.GetProperty("type").GetString() != "response")
            {
                continue;
            }
            var data = evt.RootElement.GetProperty("data");
            var messageId = data.GetProperty("message_id");
            return new PushedResponse(
                data.GetProperty("id").GetInt64(),
                data.GetProperty("response").GetString()!,
                messageId.ValueKind == JsonValueKind.Number ? messageId.GetInt64() : null);
        }
    }
}

/// <summary>
/// Opens connections from one local address. One loopback address has about 28 000 client ports (the ephemeral
/// range), so w4 spreads larger socket counts over 127.0.0.2, 127.0.0.3, …, which the host sees as distinct clients.
/// <see cref="ClientWebSocket"/> cannot bind its socket itself; this handler's connect callback does.
/// </summary>
internal static class LocalAddressInvoker
{
    public static HttpMessageInvoker Create(IPAddress local) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}

/// <summary>
/// Every benchmark session is bound to a token, as the chat page binds its sessions: the first message binds it, and
/// every later call pays for the check. Derived from the session id, so any worker can send it.
/// </summary>
internal static class SessionTokens
{
    public const string Header = "X-Session-Token";

    public static string For(string sessionId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("bench:" + sessionId)));
}
