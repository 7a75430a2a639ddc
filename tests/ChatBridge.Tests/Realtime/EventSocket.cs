using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ChatBridge.Tests.Realtime;

/// <summary>A test's WebSocket on <c>/api/v1/ws</c>, reading one JSON event at a time.</summary>
public sealed class EventSocket(WebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public WebSocket Socket { get; } = socket;

    public static Uri Address(string sessionId, long? afterId = null) =>
        new($"ws://localhost/api/v1/ws?session_id={Uri.EscapeDataString(sessionId)}{(afterId is { } id ? $"&after_id={id}" : "")}");

    public static async Task<EventSocket> ConnectAsync(BridgeApp app, string sessionId, long? afterId = null)
    {
        var client = app.Server.CreateWebSocketClient(); // starts the host first, so start-up does not eat the patience
        using var timeout = new CancellationTokenSource(Patience);
        return new EventSocket(await client.ConnectAsync(Address(sessionId, afterId), timeout.Token));
    }

    /// <summary>The next event as <c>{type, data}</c>; fails the test if none comes within a few seconds.</summary>
    public async Task<JsonElement> NextAsync()
    {
        var (type, text) = await ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The next event, which must be of this type; returns its <c>data</c>.</summary>
    public async Task<JsonElement> NextAsync(string type)
    {
        var evt = await NextAsync();
        Assert.Equal(type, evt.GetProperty("type").GetString());
        return evt.GetProperty("data");
    }

    /// <summary>Reads until the server closes (skipping events) and returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> NextCloseAsync()
    {
        while (true)
        {
            var (type, _) = await ReceiveAsync();
            if (type == WebSocketMessageType.Close)
            {
                return Socket.CloseStatus;
            }
        }
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, timeout.Token);
            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, Encoding.UTF8.GetString(text.ToArray()));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(Patience);
            await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        else if (Socket.State == WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(Patience);
            await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        Socket.Dispose();
    }
}

internal static class Sessions
{
    public static string New() => $"session_{Guid.NewGuid():N}";
}
