using System.Runtime.CompilerServices;
using ChatBridge.Configuration;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// A private copy of a control database, brought to the current shape by the bridge's own SQLite migrator: the same
/// upgrade a start on SQLite would make (older chat tables gain today's columns, filled from the old ones, and
/// canonical timestamps), so the copy to PostgreSQL reads one shape. The source is only ever opened read-only.
/// </summary>
internal sealed class SqliteSnapshot : IDisposable
{
    private readonly DirectoryInfo _folder;
    private SqliteConnection? _reader;

    private SqliteSnapshot(DirectoryInfo folder, IReadOnlyList<SourceTable> tables)
    {
        _folder = folder;
        Tables = tables;
    }

    public string FilePath => Path.Combine(_folder.FullName, "snapshot.db");

    /// <summary>The source's tables with their row counts once upgraded (see <see cref="TakeAsync"/>).</summary>
    public IReadOnlyList<SourceTable> Tables { get; }

    public static async Task<SqliteSnapshot> TakeAsync(string sourcePath, TimeProvider time, IHostEnvironment environment, CancellationToken ct)
    {
        var snapshot = new SqliteSnapshot(Directory.CreateTempSubdirectory("chatbridge-copy-"), []);
        try
        {
            List<SourceTable> tables = [];
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
                await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = snapshot.FilePath, Pooling = false }.ToString());
                await copy.OpenAsync(ct);
                source.BackupDatabase(copy);
            }

            var db = new Db(Options.Create(new ChatBridgeOptions { DatabasePath = snapshot.FilePath }), environment);
            await new SqliteSchemaMigrator(db, time, NullLogger<SqliteSchemaMigrator>.Instance).MigrateAsync(ct);
            // The upgrade moves the rows an older bridge wrote in schema_version into chatbridge_schema; everything else
            // keeps its count.
            await using (var upgraded = await db.OpenAsync(ct))
            {
                for (var i = 0; i < tables.Count; i++)
                {
                    tables[i] = tables[i] with
                    {
                        Rows = await upgraded.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {Quote(tables[i].Name)}", cancellationToken: ct)),
                    };
                }
            }
            SqliteConnection.ClearAllPools();
            return new SqliteSnapshot(snapshot._folder, tables);
        }
        catch (SqliteException e)
        {
            snapshot.Dispose();
            throw new SnapshotUnreadableException(e.Message, e);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>A table's columns as declared, with the storage classes its values actually have.</summary>
    public async Task<IReadOnlyList<SnapshotColumn>> ColumnsAsync(string table, CancellationToken ct)
    {
        var sqlite = await ReaderAsync(ct);
        var declared = await sqlite.QueryAsync<(string Name, string Type, long NotNull, long Pk)>(new CommandDefinition(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(@table) ORDER BY cid", new { table }, cancellationToken: ct));
        List<SnapshotColumn> columns = [];
        foreach (var (name, type, notNull, pk) in declared)
        {
            var classes = (await sqlite.QueryAsync<string>(new CommandDefinition(
                $"SELECT DISTINCT typeof({Quote(name)}) FROM {Quote(table)} WHERE {Quote(name)} IS NOT NULL", cancellationToken: ct))).ToHashSet();
            columns.Add(new SnapshotColumn(name, type, notNull != 0, (int)pk, classes));
        }
        return columns;
    }

    /// <summary>A table's rows, the columns in the order asked, NULL as null.</summary>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync(
        string table, IReadOnlyList<SnapshotRead> columns, [EnumeratorCancellation] CancellationToken ct)
    {
        var sqlite = await ReaderAsync(ct);
        await using var read = sqlite.CreateCommand();
        read.CommandText = $"SELECT {string.Join(", ", columns.Select(c => c.AsText ? $"CAST({Quote(c.Name)} AS TEXT)" : Quote(c.Name)))} FROM {Quote(table)}";
        await using var rows = await read.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            var values = new object?[columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = rows.IsDBNull(i) ? null : rows.GetValue(i);
            }
            yield return values;
        }
    }

    private async Task<SqliteConnection> ReaderAsync(CancellationToken ct)
    {
        if (_reader is null)
        {
            _reader = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString());
            await _reader.OpenAsync(ct);
        }
        return _reader;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    /// <summary>A name read from the database's own catalogue, quoted for SQL (SQLite and PostgreSQL quote alike).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

internal sealed record SourceTable(string Name, long Rows);

/// <summary>The source database could not be read (not a database, locked, damaged); nothing was copied.</summary>
internal sealed class SnapshotUnreadableException(string message, Exception cause) : IOException(message, cause);

/// <param name="StorageClasses">SQLite types values, not columns: the <c>typeof()</c> of the values the column holds.</param>
internal sealed record SnapshotColumn(string Name, string DeclaredType, bool NotNull, int Pk, IReadOnlySet<string> StorageClasses);

/// <param name="AsText">Read the column's values as SQLite shows them as text.</param>
internal sealed record SnapshotRead(string Name, bool AsText);
