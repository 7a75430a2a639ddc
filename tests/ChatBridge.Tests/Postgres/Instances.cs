using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ChatBridge.Tests.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ChatBridge.Tests.Postgres;

/// <summary>Bridge instances that share one PostgreSQL database, as a scaled-out deployment runs them.</summary>
internal static class Instances
{
    /// <summary>
    /// An instance on <paramref name="connectionString"/>, its connections named <paramref name="name"/> in
    /// <c>pg_stat_activity</c> so a test can find them. Claims last an hour: timing under load never hands a message out again.
    /// </summary>
    public static BridgeApp On(string connectionString, string name, Action<IServiceCollection>? services = null) => new()
    {
        TestServices = services,
        Settings =
        {
            ["ChatBridge:Database:Provider"] = "Postgres",
            ["ChatBridge:Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = name }.ToString(),
            ["ChatBridge:Inbox:ClaimTimeout"] = "01:00:00",
        },
    };

    /// <summary>
    /// A new conversation begun on <paramref name="watcher"/> (a message posted) with a socket open on it there, once
    /// <paramref name="other"/> answers /health 200: what the other instance does to it from then on reaches the socket.
    /// </summary>
    public static async Task<(string Session, EventSocket Socket)> WatchNewSessionAsync(this BridgeApp watcher, BridgeApp other)
    {
        Assert.Equal(200, await other.HealthAsync());
        var session = Sessions.New();
        await (await watcher.Anonymous().PostMessageAsync(session, "Hello")).DataAsync();
        return (session, await EventSocket.ConnectAsync(watcher, session));
    }

    public static async Task<int> HealthAsync(this BridgeApp app)
    {
        using var response = await app.Anonymous().GetAsync("/health");
        return (int)response.StatusCode;
    }

    /// <summary>
    /// The next event within <paramref name="patience"/>, or null when the socket stays quiet that long (a wait that
    /// times out aborts the socket, so null is the last answer it gives).
    /// </summary>
    public static async Task<JsonElement?> NextOrNoneAsync(this EventSocket socket, TimeSpan patience)
    {
        using var quiet = new CancellationTokenSource(patience);
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.Socket.ReceiveAsync(buffer, quiet.Token);
                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                text.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return JsonDocument.Parse(Encoding.UTF8.GetString(text.ToArray())).RootElement.Clone();
                }
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            return null;
        }
    }
}
