using System.Collections.Concurrent;
using ChatBridge.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Reliability;

public sealed class BackupTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-backup-").FullName;

    private string DatabasePath => Path.Combine(_folder, "sanctum_ui.db");

    private string LogPath => Path.Combine(_folder, "logs");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_backup_taken_while_messages_are_posted_is_sound_and_holds_every_message_acknowledged_before_it_began()
    {
        var backup = Path.Combine(_folder, "backup", "sanctum_ui-copy.db");
        Directory.CreateDirectory(Path.GetDirectoryName(backup)!);
        using var host = await HostProcess.StartAsync(DatabasePath, LogPath);
        var acknowledged = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var posters = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            using var client = host.Client();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var response = await client.PostMessageAsync($"session_backup_{p}", $"poster {p} message {i}");
                acknowledged.Enqueue((await response.DataAsync()).GetProperty("message_id").GetInt64());
            }
        })).ToList();
        while (acknowledged.Count < 200)
        {
            await Task.Delay(10);
        }

        var before = acknowledged.ToList();
        var (exitCode, stdout, stderr) = await Verb("backup", "--to", backup);
        var after = acknowledged.Count;
        await stop.CancelAsync();
        await Task.WhenAll(posters);

        output.WriteLine($"{stdout.Trim()} Acknowledged before it began: {before.Count}; by the time it ended: {after}.");
        Assert.True(exitCode == 0, stderr);
        Assert.True(after > before.Count, "the posting went on during the backup");
        using var copy = new SqliteConnection($"Data Source={backup};Pooling=False;Mode=ReadOnly");
        copy.Open();
        Assert.Equal("ok", Scalar(copy, "PRAGMA integrity_check"));
        Assert.Equal("delete", Scalar(copy, "PRAGMA journal_mode"));
        var copied = Ids(copy);
        Assert.Empty(before.Except(copied));
        Assert.False(File.Exists(backup + ".partial"));
    }

    [Fact]
    public async Task Backup_needs_a_target_never_overwrites_one_and_says_why_it_failed()
    {
        var existing = Path.Combine(_folder, "existing.db");
        await File.WriteAllTextAsync(existing, "keep me");

        var (noTarget, _, usage) = await Verb("backup");
        var (overwrite, _, refusal) = await Verb("backup", "--to", existing);
        var (unwritable, _, failure) = await Verb("backup", "--to", Path.Combine(_folder, "no-such-folder", "copy.db"));

        Assert.Equal(2, noTarget);
        Assert.Contains("usage: ChatBridge backup --to FILE", usage, StringComparison.Ordinal);
        Assert.Equal(2, overwrite);
        Assert.Contains("exists; a backup never overwrites a file", refusal, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing));
        Assert.Equal(1, unwritable);
        Assert.Contains("The backup to", failure, StringComparison.Ordinal);
    }

    [Postgres.PostgresFact]
    public async Task On_postgres_the_backup_verb_refuses_and_points_to_pg_dump()
    {
        await using var database = await Postgres.PostgresServer.CreateDatabaseAsync();

        var (exitCode, _, error) = await Verb("backup", "--to", Path.Combine(_folder, "copy.db"),
            "--ChatBridge:Database:Provider=Postgres", $"--ChatBridge:Database:ConnectionString={database.ConnectionString}");

        Assert.Equal(2, exitCode);
        Assert.Contains("on PostgreSQL use pg_dump", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "copy.db")));
    }

    private Task<(int ExitCode, string Output, string Error)> Verb(params string[] verb) =>
        AppProcess.RunAsync(AppProcess.BuiltFolder, _folder,
            [.. verb, $"--ChatBridge:DatabasePath={DatabasePath}", $"--ChatBridge:LogPath={LogPath}", "--Serilog:MinimumLevel:Default=Warning"]);

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static HashSet<long> Ids(SqliteConnection connection)
    {
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
}
