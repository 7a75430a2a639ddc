using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Tests.Reliability;

/// <summary>
/// A real full disk: the database lives on a small tmpfs mounted for the test (the tests run as root, as CI does),
/// which is then grown again with a remount, as an operator would free space.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _mount = Directory.CreateTempSubdirectory("chatbridge-fulldisk-").FullName;

    public FullDiskTests() => Run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", _mount);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Run("umount", "--lazy", _mount);
        Directory.Delete(_mount);
    }

    [Fact]
    public async Task A_full_disk_refuses_writes_with_503_keeps_reads_and_stored_rows_and_recovers_once_there_is_space()
    {
        using var app = new BridgeApp { DatabasePath = Path.Combine(_mount, "sanctum_ui.db") };
        var client = app.Anonymous();
        var text = new string('x', 8000);
        var stored = new List<long>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 1000 && refused is null; i++)
        {
            var response = await client.PostMessageAsync("session_full_disk", $"{i} {text}");
            if ((int)response.StatusCode == 200)
            {
                stored.Add((await response.DataAsync()).GetProperty("message_id").GetInt64());
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        await refused.AssertErrorAsync(503, "Storage full: the message could not be stored, retry later");
        Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
        Assert.NotEmpty(stored);
        var history = await (await client.GetAsync("/api/v1/?action=history&session_id=session_full_disk")).DataAsync();
        Assert.Equal(stored, history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        var health = await client.GetAsync("/health");
        Assert.Equal(200, (int)health.StatusCode);
        var writes = (await health.JsonAsync()).GetProperty("checks").GetProperty("writes");
        Assert.Equal("Degraded", writes.GetProperty("status").GetString());
        Assert.Contains("Storage full since", writes.GetProperty("description").GetString(), StringComparison.Ordinal);

        Run("mount", "-o", "remount,size=16m", _mount);
        var after = await (await client.PostMessageAsync("session_full_disk", "space again")).DataAsync();

        stored.Add(after.GetProperty("message_id").GetInt64());
        Assert.Equal("Healthy", (await (await client.GetAsync("/health")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(stored.Count, app.Count("web_chat_messages"));
        Assert.Equal("ok", app.Scalar("PRAGMA integrity_check"));
    }

    private static void Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed (the test needs root): {error}");
    }
}
