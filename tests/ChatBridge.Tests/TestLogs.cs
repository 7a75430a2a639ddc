namespace ChatBridge.Tests;

public static class TestLogs
{
    /// <summary>The host's log files once <paramref name="last"/> is in them: request lines follow the response by a moment.</summary>
    public static async Task<string> ReadLogsAsync(this BridgeApp app, string last)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string text;
        do
        {
            await Task.Delay(100);
            text = string.Concat(Directory.GetFiles(app.LogFolder, "*.log").Select(ReadShared));
        }
        while (!text.Contains(last, StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        return text;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
