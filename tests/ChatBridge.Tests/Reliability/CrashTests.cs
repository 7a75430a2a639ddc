using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Tests.Reliability;

public sealed class CrashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-crash-").FullName;

    private string DatabasePath => Path.Combine(_folder, "sanctum_ui.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(condition(), "the posters did not get far enough within 60 s");
    }

    [Fact]
    public async Task Every_message_answered_200_survives_a_kill_and_comes_out_of_the_inbox_exactly_once()
    {
        var acknowledged = new ConcurrentBag<long>();
        var claimedBeforeCrash = new List<long>();
        using (var host = await HostProcess.StartAsync(DatabasePath, Path.Combine(_folder, "logs")))
        {
            using var stop = new CancellationTokenSource();
            var posters = Enumerable.Range(0, 6).Select(p => Task.Run(async () =>
            {
                using var client = host.Client();
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var response = await client.PostMessageAsync($"session_crash_{p}", $"poster {p} message {i}");
                        if ((int)response.StatusCode == 200)
                        {
                            acknowledged.Add((await response.DataAsync()).GetProperty("message_id").GetInt64());
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The host died under this request: it was never acknowledged.
                        return;
                    }
                }
            })).ToList();

            // Broca claims some messages before the crash, so both states are on disk when it dies.
            using var broca = host.Client(BridgeApp.ApiKey);
            await UntilAsync(() => acknowledged.Count >= 40);
            var early = await (await broca.GetAsync("/api/v1/?action=inbox&limit=20")).DataAsync();
            claimedBeforeCrash.AddRange(early.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
            await UntilAsync(() => acknowledged.Count >= 100);
            host.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(posters);
        }

        var claimedAfterRestart = new List<long>();
        using (var restarted = await HostProcess.StartAsync(DatabasePath, Path.Combine(_folder, "logs")))
        {
            using var broca = restarted.Client(BridgeApp.ApiKey);
            for (var page = 0; page < 1000; page++)
            {
                var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=100")).DataAsync();
                var ids = data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToList();
                if (ids.Count == 0)
                {
                    break;
                }
                claimedAfterRestart.AddRange(ids);
            }
        }

        Assert.NotEmpty(claimedBeforeCrash);
        Assert.Empty(claimedBeforeCrash.Intersect(claimedAfterRestart));
        Assert.Equal(claimedAfterRestart.Count, claimedAfterRestart.Distinct().Count());
        Assert.Empty(acknowledged.Except(claimedBeforeCrash.Concat(claimedAfterRestart)));
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }
}
