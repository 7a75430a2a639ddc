using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Hosting;

public sealed class LoggingTests
{
    [Fact]
    public async Task Request_logs_name_the_action_but_never_keys_or_message_text()
    {
        const string Secret = "marker-text-that-must-stay-private-4711";
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Information" } };
        await (await app.Anonymous().PostMessageAsync("session_log_check", Secret)).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_log_check", Secret + " reply")).DataAsync();
        await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        await (await app.WithKey("a-guessed-key-for-the-log-test").GetAsync("/api/v1/?action=config")).AssertErrorAsync(401, "Invalid admin key");

        var logs = await ReadLogsAsync(app);

        Assert.Contains("HTTP POST /api/v1/ messages responded 200", logs, StringComparison.Ordinal);
        Assert.Contains("HTTP GET /api/v1/ inbox responded 200", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.ApiKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.AdminKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("a-guessed-key-for-the-log-test", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_its_client_abandons_is_logged_as_499_not_as_an_error()
    {
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Information" } };
        using var hangUp = new CancellationTokenSource();
        var polling = app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_log_abandon&wait=30", hangUp.Token);
        var hub = app.Services.GetRequiredService<ChatBridge.Realtime.NotificationHub>();
        while (hub.ListenerCount("session_log_abandon") == 0)
        {
            await Task.Delay(20);
        }

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling);

        var logs = "";
        for (var i = 0; i < 50 && !logs.Contains("responded 499", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            logs = string.Concat(Directory.GetFiles(app.LogFolder, "*.log").Select(ReadShared));
        }
        Assert.Contains("HTTP GET /api/v1/ responses responded 499", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", logs, StringComparison.Ordinal);
    }

    private static async Task<string> ReadLogsAsync(BridgeApp app)
    {
        // Request logging completes just after the response; give the sink a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string text;
        do
        {
            await Task.Delay(100);
            text = string.Concat(Directory.GetFiles(app.LogFolder, "*.log").Select(ReadShared));
        }
        while (!text.Contains("action=config", StringComparison.Ordinal) && !text.Contains(" config responded 401", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        return text;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
