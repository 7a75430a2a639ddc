using System.Collections.Concurrent;
using ChatBridge.Tests.Attachments;
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
    public async Task A_host_on_the_backup_serves_the_uploaded_files_byte_for_byte()
    {
        var backup = Path.Combine(_folder, "sanctum_ui-copy.db");
        using var live = OnSqlite(DatabasePath);
        var (photo, pdf) = await SendPhotoAndPdfAsync(live);
        var originals = new[] { await FileAsync(live, photo), await FileAsync(live, pdf) };

        var (exitCode, _, stderr) = await Verb("backup", "--to", backup);

        Assert.True(exitCode == 0, stderr);
        using var restored = OnSqlite(backup);
        Assert.Equal(originals, new[] { await FileAsync(restored, photo), await FileAsync(restored, pdf) });
        Assert.Equal(TestFiles.Pdf(), Convert.FromHexString(originals[1].Hex));
    }

    [Fact]
    public async Task With_an_attachments_folder_the_backup_holds_the_rows_not_the_files_which_are_served_again_once_the_folder_is_copied_beside_it()
    {
        var backup = Path.Combine(_folder, "sanctum_ui-copy.db");
        var files = Path.Combine(_folder, "files");
        var restoredFiles = Path.Combine(_folder, "restored-files");
        using var live = OnSqlite(DatabasePath, files);
        var (photo, pdf) = await SendPhotoAndPdfAsync(live);
        var originals = new[] { await FileAsync(live, photo), await FileAsync(live, pdf) };

        var (exitCode, _, stderr) = await Verb("backup", "--to", backup);

        Assert.True(exitCode == 0, stderr);
        using (var copy = new SqliteConnection($"Data Source={backup};Pooling=False;Mode=ReadOnly"))
        {
            copy.Open();
            Assert.Equal(2L, Scalar(copy, "SELECT COUNT(*) FROM chatbridge_attachments"));
            Assert.Equal(0L, Scalar(copy, "SELECT COUNT(*) FROM chatbridge_attachments WHERE content IS NOT NULL"));
        }
        using var restored = OnSqlite(backup, restoredFiles);
        // The backup alone: its rows point at files it does not hold.
        Assert.Equal(404, (await FileAsync(restored, photo)).Status);
        Assert.Equal(404, (await FileAsync(restored, pdf)).Status);
        Directory.CreateDirectory(restoredFiles);
        foreach (var file in Directory.EnumerateFiles(files))
        {
            File.Copy(file, Path.Combine(restoredFiles, Path.GetFileName(file)));
        }
        Assert.Equal(originals, new[] { await FileAsync(restored, photo), await FileAsync(restored, pdf) });
    }

    private static BridgeApp OnSqlite(string database, string? attachmentsFolder = null) => new()
    {
        DatabasePath = database,
        Settings = { ["ChatBridge:Database:Provider"] = "Sqlite", ["ChatBridge:Attachments:Folder"] = attachmentsFolder },
    };

    /// <summary>A photo and a PDF sent in one message, as the chat page sends them; answers their links' paths.</summary>
    private static async Task<(string Photo, string Pdf)> SendPhotoAndPdfAsync(BridgeApp app)
    {
        const string Session = "session_backup_files";
        var user = app.Anonymous();
        var photo = await user.UploadedAsync(Session, TestFiles.Jpeg(64, 48), "photo.jpg");
        var pdf = await user.UploadedAsync(Session, TestFiles.Pdf(), "report.pdf");
        await (await user.PostWithAttachmentsAsync(Session, "for the record", photo.Id(), pdf.Id())).DataAsync();
        return (photo.PathOf(), pdf.PathOf());
    }

    /// <summary>A file as a host serves it: its status, type and bytes (as hex, so two compare as values).</summary>
    private static async Task<ServedFile> FileAsync(BridgeApp app, string path)
    {
        using var response = await app.Anonymous().GetAsync(path);
        return new ServedFile((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            Convert.ToHexString(await response.Content.ReadAsByteArrayAsync()));
    }

    private sealed record ServedFile(int Status, string? Type, string Hex);

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
