namespace ChatBridge.Tests.Actions;

public sealed class CleanupLogsTests
{
    [Fact]
    public async Task Deletes_rolled_files_past_retention_keeps_the_rest_and_reports_real_sizes()
    {
        // The start-up lines at Information, as in production, open today's file before the old ones are made.
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Information" } };
        _ = app.Services;
        Directory.CreateDirectory(app.LogFolder);
        var expired = WriteLog(app, "chatbridge-20200101.log", 2 * 1024 * 1024, DateTime.UtcNow.AddDays(-30));
        var recent = WriteLog(app, "chatbridge-20991230.log", 1024 * 1024, DateTime.UtcNow.AddDays(-1));
        var unrelated = WriteLog(app, "someone-else.log", 100, DateTime.UtcNow.AddDays(-30));
        // The file Serilog is writing now: the newest one.
        var current = Directory.GetFiles(app.LogFolder, "chatbridge-*.log").Select(f => new FileInfo(f)).MaxBy(f => f.LastWriteTimeUtc)!;

        var data = await (await app.Admin().PostJsonAsync("cleanup_logs", new { })).DataAsync();

        Assert.False(File.Exists(expired));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(unrelated));
        Assert.True(File.Exists(current.FullName));
        Assert.Equal("Deleted 1 expired log file", data.GetProperty("message").GetString());
        var logs = new DirectoryInfo(app.LogFolder).GetFiles("chatbridge-*.log");
        Assert.Equal(logs.Length - 1, data.GetProperty("backup_files_count").GetInt32());
        Assert.Equal(Math.Round(logs.Sum(f => f.Length) / 1048576.0, 3), data.GetProperty("total_log_size_mb").GetDouble(), precision: 2);
        Assert.True(data.GetProperty("total_log_size_mb").GetDouble() >= 1.0);
        Assert.Equal(7, data.GetProperty("retention_days").GetInt32());
        Assert.Equal(10, data.GetProperty("max_size_mb").GetInt32());
        Assert.True(data.GetProperty("current_log_size_mb").GetDouble() < 1.0);
    }

    private static string WriteLog(BridgeApp app, string name, int bytes, DateTime lastWrite)
    {
        var path = Path.Combine(app.LogFolder, name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }
}
