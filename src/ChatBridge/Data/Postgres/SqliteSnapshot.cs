using ChatBridge.Data.Schema;
using ChatBridge.Hosting;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBridge.Data.Postgres;

/// <summary>
/// A private copy of a control database, brought to the current shape by the bridge's own SQLite migrator: the same
/// upgrade a start on SQLite would make (older chat tables gain today's columns, filled from the old ones, and
/// canonical timestamps), so the copy to PostgreSQL reads one shape. The source is only ever opened read-only.
/// </summary>
internal sealed class SqliteSnapshot : IDisposable
{
    private readonly DirectoryInfo _folder;

    private SqliteSnapshot(DirectoryInfo folder, IReadOnlyList<SourceTable> tables)
    {
        _folder = folder;
        Tables = tables;
    }

    public string FilePath => Path.Combine(_folder.FullName, "snapshot.db");

    /// <summary>The source's tables with their row counts, as read from the source itself.</summary>
    public IReadOnlyList<SourceTable> Tables { get; }

    public static async Task<SqliteSnapshot> TakeAsync(string sourcePath, TimeProvider time, IHostEnvironment environment, CancellationToken ct)
    {
        var snapshot = new SqliteSnapshot(Directory.CreateTempSubdirectory("chatbridge-copy-"), []);
        try
        {
            List<SourceTable> tables = [];
            long? lastVersion;
            await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = sourcePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString()))
            {
                await source.OpenAsync(ct);
                // One read transaction: the counts and the backup see the same moment, even with a writer at work.
                await using var read = await source.BeginTransactionAsync(ct);
                foreach (var name in await source.QueryAsync<string>(new CommandDefinition(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", transaction: read, cancellationToken: ct)))
                {
                    tables.Add(new SourceTable(name, await source.ExecuteScalarAsync<long>(new CommandDefinition(
                        $"SELECT COUNT(*) FROM {Quote(name)}", transaction: read, cancellationToken: ct))));
                }
                lastVersion = tables.Any(t => t.Name == "schema_version")
                    ? await source.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(rowid) FROM schema_version", transaction: read, cancellationToken: ct))
                    : null;
                await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = snapshot.FilePath, Pooling = false }.ToString());
                await copy.OpenAsync(ct);
                source.BackupDatabase(copy);
            }

            var db = new Db(Options.Create(new ChatBridgeOptions { DatabasePath = snapshot.FilePath }), environment);
            await new SchemaMigrator(db, time, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);
            await using (var upgraded = await db.OpenWriterAsync(ct))
            {
                // The upgrade's own record of its steps is not part of the source: PostgreSQL's migrator records its steps.
                await upgraded.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM schema_version WHERE rowid > @last", new { last = lastVersion ?? 0 }, cancellationToken: ct));
            }
            SqliteConnection.ClearAllPools();
            return new SqliteSnapshot(snapshot._folder, tables);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    /// <summary>A name read from the database's own catalogue, quoted for SQL (SQLite and PostgreSQL quote alike).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

internal sealed record SourceTable(string Name, long Rows);
