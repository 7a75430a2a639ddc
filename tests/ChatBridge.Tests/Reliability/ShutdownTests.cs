using System.Collections.Concurrent;
using System.Net.WebSockets;
using ChatBridge.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Reliability;

public sealed class ShutdownTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-sigterm-").FullName;

    private string DatabasePath => Path.Combine(_folder, "sanctum_ui.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Sigterm_under_load_answers_long_polls_closes_sockets_with_1001_and_keeps_every_acknowledged_write()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(10);
        using var host = await HostProcess.StartAsync(DatabasePath, Path.Combine(_folder, "logs"), $"--ChatBridge:ShutdownTimeout={shutdownTimeout}");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{host.Address.Authority}/api/v1/ws?session_id=session_sigterm_ws"), CancellationToken.None);
        using var poller = host.Client();
        var poll = poller.GetAsync("/api/v1/?action=responses&session_id=session_sigterm_poll&wait=30");
        using var scraper = host.Client();
        while (MetricsTests.Value(await scraper.GetStringAsync("/metrics"), "chatbridge_long_polls_waiting") < 1)
        {
            await Task.Delay(20);
        }

        var acknowledged = new ConcurrentBag<long>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var posters = Enumerable.Range(0, 6).Select(p => Task.Run(async () =>
        {
            using var client = host.Client();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var response = await client.PostMessageAsync($"session_sigterm_{p}", $"poster {p} message {i}");
                    if ((int)response.StatusCode == 200)
                    {
                        acknowledged.Add((await response.DataAsync()).GetProperty("message_id").GetInt64());
                    }
                }
                catch (HttpRequestException)
                {
                    // Refused or cut off while the host stops: never acknowledged, so free to be lost.
                    Interlocked.Increment(ref refused);
                    await Task.Delay(5);
                }
            }
        })).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (acknowledged.Count < 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        var ackedBeforeSignal = acknowledged.Count;

        var closing = ReadCloseAsync(socket);
        var (elapsed, exitCode) = await host.TerminateAsync(shutdownTimeout + TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await Task.WhenAll(posters);
        var polled = await poll;
        var closeStatus = await closing;

        var stored = StoredMessageIds();
        var missing = acknowledged.Except(stored).ToList();
        output.WriteLine($"acknowledged {acknowledged.Count} ({ackedBeforeSignal} before SIGTERM), found {acknowledged.Count - missing.Count} of them "
            + $"among {stored.Count} stored; refused or cut off {refused}; exit {exitCode} after {elapsed.TotalMilliseconds:0} ms");
        Assert.True(ackedBeforeSignal >= 200, "the posters did not get far enough within 60 s");
        Assert.Empty(missing);
        Assert.Equal(0, exitCode);
        Assert.True(elapsed < shutdownTimeout, $"the host took {elapsed} to stop");
        Assert.Equal(200, (int)polled.StatusCode);
        Assert.Empty((await polled.DataAsync()).GetProperty("responses").EnumerateArray());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closeStatus);
        Assert.Equal("ok", Scalar("PRAGMA integrity_check"));
    }

    private static async Task<WebSocketCloseStatus?> ReadCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return result.CloseStatus;
            }
        }
    }

    private HashSet<long> StoredMessageIds()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM web_chat_messages";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
