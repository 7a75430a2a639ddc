namespace ChatBridge.Tests;

public static class TestLogs
{
    /// <summary>The host's log files once <paramref name="last"/> is in them: request lines follow the response by a moment.</summary>
    public static async Task<string> ReadLogsAsync(this BridgeApp app, string last)
    {
        var text = "";
        await Eventually.UntilAsync(() =>
        {
            text = Directory.Exists(app.LogFolder) ? string.Concat(Directory.GetFiles(app.LogFolder, "*.log").Select(ReadShared)) : "";
            return text.Contains(last, StringComparison.Ordinal);
        }, $"\"{last}\" in the logs");
        return text;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
