using System.Diagnostics;
using System.Globalization;
using ChatBridge.Storage.Sqlite;

namespace ChatBridge.Hosting;

/// <summary>
/// <c>backup --to FILE</c>: a consistent copy of the control database, safe while the service runs and writes
/// (see <see cref="DatabaseBackup"/>). It never overwrites: an existing FILE is refused.
/// </summary>
internal sealed record BackupCommand(string? Target) : IHostCommand
{
    public const string Usage = "usage: ChatBridge backup --to FILE";

    public static (IHostCommand Command, string[] HostArgs) Parse(string[] args) => args switch
    {
        ["backup", "--to", var target, .. var rest] when !target.StartsWith('-') => (new BackupCommand(target), rest),
        ["backup", .. var rest] => (new BackupCommand(Target: null), rest),
        _ => throw new ArgumentException("Not a backup command.", nameof(args)),
    };

    public async Task<int> RunAsync(IServiceProvider services)
    {
        if (Target is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        if (services.GetService<DatabaseBackup>() is not { } database)
        {
            // A PostgreSQL server has its own tools, which also know its replication and point-in-time recovery.
            await Console.Error.WriteLineAsync("backup copies the SQLite control database; on PostgreSQL use pg_dump (docs/OPERATIONS.md).");
            return 2;
        }
        var target = Path.GetFullPath(Target);
        if (File.Exists(target))
        {
            await Console.Error.WriteLineAsync($"{target} exists; a backup never overwrites a file.");
            return 2;
        }
        var started = Stopwatch.GetTimestamp();
        BackupResult backup;
        try
        {
            backup = await database.CopyToAsync(target, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"The backup to {target} failed: {e.Message}");
            return 1;
        }
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Backed up {backup.Source} to {target}: {backup.Bytes / 1024.0 / 1024.0:0.0} MB, {backup.Messages} messages, integrity_check ok, in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s."));
        return 0;
    }
}
