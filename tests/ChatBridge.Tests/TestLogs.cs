namespace ChatBridge.Tests;

/// <summary>Reads a host's log files while it still writes them.</summary>
public static class TestLogs
{
    /// <summary>The files' text once <paramref name="last"/> is in it (or after 5 s): a line may follow its cause by a moment.</summary>
    public static async Task<string> ReadAsync(string folder, string last)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string text;
        do
        {
            await Task.Delay(100);
            text = Directory.Exists(folder) ? string.Concat(Directory.GetFiles(folder, "*.log").Order(StringComparer.Ordinal).Select(ReadShared)) : "";
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
