using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Observability;

/// <summary>The rolling log files under <c>ChatBridge:LogPath</c>: where Serilog writes them, and their cleanup.</summary>
internal sealed class LogFiles(IOptions<ChatBridgeOptions> options, IHostEnvironment environment, TimeProvider time)
{
    public const string FilePrefix = "chatbridge-";
    private const string FilePattern = FilePrefix + "*.log";
    private const double BytesPerMb = 1024 * 1024;

    public string Folder { get; } = BridgePaths.Resolve(options.Value.LogPath, environment);

    /// <summary>Serilog adds the date (and a roll number) between prefix and extension.</summary>
    public string PathTemplate => Path.Combine(Folder, FilePrefix + ".log");

    /// <summary>Deletes rolled files last written before the retention period; the newest file is the one being written and stays.</summary>
    public LogCleanupReport DeleteExpired()
    {
        var retentionDays = options.Value.LogRetentionDays;
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-retentionDays);
        var files = List();
        var deleted = 0;
        foreach (var rolled in files.Skip(1).Where(f => f.LastWriteTimeUtc < cutoff))
        {
            try
            {
                rolled.Delete();
                deleted++;
            }
            catch (IOException)
            {
                // Another process holds it; the next cleanup will try again.
            }
        }

        var remaining = List();
        return new LogCleanupReport(
            deleted == 1 ? "Deleted 1 expired log file" : $"Deleted {deleted} expired log files",
            ToMb(remaining.FirstOrDefault()?.Length ?? 0),
            Math.Max(0, remaining.Count - 1),
            ToMb(remaining.Sum(f => f.Length)),
            retentionDays,
            options.Value.LogMaxSizeMb);
    }

    private List<FileInfo> List()
    {
        var folder = new DirectoryInfo(Folder);
        return folder.Exists
            ? [.. folder.EnumerateFiles(FilePattern).OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)]
            : [];
    }

    private static double ToMb(long bytes) => Math.Round(bytes / BytesPerMb, 3);
}

internal sealed record LogCleanupReport(
    string Message, double CurrentLogSizeMb, int BackupFilesCount, double TotalLogSizeMb, int RetentionDays, int MaxSizeMb);
