using Dapper;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Copies the live database with SQLite's online backup API. The copy runs in one step inside one read
/// transaction, so it is the database as of one moment (every write committed before it began, none after), and
/// in WAL mode the service's writer goes on meanwhile. The copy is checked before it gets its final name.
/// </summary>
internal sealed class DatabaseBackup(Db db)
{
    public async Task<BackupResult> CopyToAsync(string target, CancellationToken ct)
    {
        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            await using (var source = await db.OpenAsync(ct))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await copy.OpenAsync(ct);
                source.BackupDatabase(copy);
                // One self-contained file: no -wal beside it to forget when it is copied or restored.
                await copy.ExecuteAsync("PRAGMA journal_mode = DELETE");
                var integrity = await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check");
                if (integrity != "ok")
                {
                    throw new InvalidDataException($"The backup failed integrity_check: {integrity}");
                }
                var messages = await copy.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM web_chat_messages");
                await copy.CloseAsync();
                File.Move(partial, target);
                return new BackupResult(db.FilePath, new FileInfo(target).Length, messages);
            }
        }
        catch (SqliteException e)
        {
            throw new IOException($"SQLite could not copy the database: {e.Message}", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}

internal sealed record BackupResult(string Source, long Bytes, long Messages);
