using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ChatBridge.Http;
using ChatBridge.Storage.Sqlite;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using static ChatBridge.Storage.Sqlite.SqliteSnapshot;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Copies an SQLite control database into an empty PostgreSQL database in one transaction: the current schema from
/// <see cref="PostgresSchemaMigrator"/>, then every table of the source with its ids, then each identity moved past
/// the copied ids, then the row counts compared table by table. Anything amiss rolls the whole copy back.
/// </summary>
internal sealed class SqliteToPostgresCopy(TimeProvider time, IHostEnvironment environment)
{
    /// <summary>
    /// The <c>copy-to-postgres</c> verb: copies <paramref name="source"/> and reports table by table on
    /// <paramref name="output"/>, or says on <paramref name="errors"/> why nothing was written. Answers the exit code.
    /// </summary>
    public async Task<int> RunAsync(string source, string connectionString, TextWriter output, TextWriter errors)
    {
        NpgsqlConnectionStringBuilder target;
        try
        {
            target = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            await errors.WriteLineAsync($"The PostgreSQL connection string does not parse: {e.Message}");
            return 2;
        }
        var where = $"PostgreSQL {target.Host}:{target.Port}/{target.Database ?? target.Username}";
        if (!File.Exists(source))
        {
            await errors.WriteLineAsync($"There is no SQLite database at {source} (ChatBridge:DatabasePath); nothing was copied.");
            return 1;
        }

        await output.WriteLineAsync($"Copying {source} to {where}.");
        try
        {
            var report = await CopyAsync(source, connectionString, CancellationToken.None);
            await output.WriteAsync(Describe(report));
            return 0;
        }
        catch (CopyFailedException e)
        {
            await output.WriteAsync(CountTable(e.Tables));
            await errors.WriteLineAsync(e.Message);
        }
        catch (CopyRefusedException e)
        {
            await errors.WriteLineAsync(e.Message);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            var detail = e is PostgresException { Detail: { Length: > 0 } d } ? $" ({d})" : "";
            await errors.WriteLineAsync($"The copy to {where} failed: {e.Message}{detail}. Nothing was written.");
        }
        catch (SnapshotUnreadableException e)
        {
            await errors.WriteLineAsync($"Could not read {source}: {e.Message}. Nothing was written.");
        }
        return 1;
    }

    private static string Describe(CopyReport report)
    {
        var text = new StringBuilder(CountTable(report.Tables));
        if (report.CreatedTables.Count > 0)
        {
            text.AppendLine($"Tables the bridge does not know, created from their SQLite columns (no indexes, defaults or foreign keys): {string.Join(", ", report.CreatedTables)}.");
        }
        if (report.AddedColumns.Count > 0)
        {
            text.AppendLine($"Columns of an older shape, kept beside today's: {string.Join(", ", report.AddedColumns)}.");
        }
        if (report.RecordedSteps.Count > 0)
        {
            text.AppendLine($"Schema steps recorded for PostgreSQL: {string.Join(", ", report.RecordedSteps.Select(s => s[..3]))}.");
        }
        return text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Copied {report.Tables.Count} tables, {report.Tables.Sum(t => t.CopiedRows)} rows, in {report.Elapsed.TotalSeconds:0.0} s; every table's row count matches.")).ToString();
    }

    /// <summary>Source and copied rows per table, one line each, the differing ones marked.</summary>
    private static string CountTable(IReadOnlyList<TableCopy> tables)
    {
        var width = Math.Max("table".Length, tables.Max(t => t.Name.Length));
        var text = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"{"table".PadRight(width)}  {"source rows",12}  {"copied rows",12}");
        foreach (var table in tables)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{table.Name.PadRight(width)}  {table.SourceRows,12}  {table.CopiedRows,12}{(table.SourceRows == table.CopiedRows ? "" : "  differs")}");
        }
        return text.ToString();
    }

    /// <summary>
    /// What each engine keeps of its own and the copy leaves behind: the record of the schema steps (PostgreSQL's
    /// migrator records its own) and SQLite's note of rows another program wrote, read and emptied within a second.
    /// </summary>
    private static readonly HashSet<string> EngineOwnTables = new(StringComparer.Ordinal) { "chatbridge_schema", "chatbridge_changes" };

    public async Task<CopyReport> CopyAsync(string sourcePath, string targetConnectionString, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var snapshot = await SqliteSnapshot.TakeAsync(sourcePath, time, environment, ct);
        await using var target = new NpgsqlConnection(targetConnectionString);
        await target.OpenAsync(ct);
        await using var tx = await target.BeginTransactionAsync(ct);
        await PostgresSchemaMigrator.LockAsync(target, tx, ct);
        if (await ExistingTablesAsync(target, tx, ct) is { Count: > 0 } existing)
        {
            throw new CopyRefusedException(
                $"The target database is not empty: it has {existing.Count} table(s) ({string.Join(", ", existing.Take(5))}{(existing.Count > 5 ? ", …" : "")}). " +
                "copy-to-postgres only writes into an empty database; nothing was written.");
        }
        var recorded = await PostgresSchemaMigrator.ApplyAsync(target, tx, ct);
        var schema = await TargetSchemaAsync(target, tx, ct);
        var tables = snapshot.Tables.Where(t => !EngineOwnTables.Contains(t.Name)).ToList();

        List<string> created = [];
        List<string> added = [];
        foreach (var table in CopyOrder(tables, schema))
        {
            var columns = await SourceColumnsAsync(snapshot, table.Name, ct);
            if (schema.Columns.TryGetValue(table.Name, out var known))
            {
                foreach (var column in columns.Where(c => !known.ContainsKey(c.Name)))
                {
                    // A column of an older shape that today's schema lacks: kept beside the current ones, like SQLite's upgrade does.
                    await target.ExecuteAsync(new CommandDefinition(
                        $"ALTER TABLE {Quote(table.Name)} ADD COLUMN {Quote(column.Name)} {column.Home.Sql}", transaction: tx, cancellationToken: ct));
                    added.Add($"{table.Name}.{column.Name}");
                }
                columns = [.. columns.Select(c => known.TryGetValue(c.Name, out var type) ? c with { TargetName = type.Name, Home = type.Type } : c)];
            }
            else
            {
                await target.ExecuteAsync(new CommandDefinition(CreateTableSql(table.Name, columns), transaction: tx, cancellationToken: ct));
                created.Add(table.Name);
            }
            await ImportAsync(snapshot, target, table.Name, columns, ct);
        }

        List<TableCopy> copies = [];
        foreach (var table in tables)
        {
            copies.Add(new TableCopy(table.Name, table.Rows, await target.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COUNT(*) FROM {Quote(table.Name)}", transaction: tx, cancellationToken: ct))));
        }
        if (copies.Any(c => c.SourceRows != c.CopiedRows))
        {
            throw new CopyFailedException("The row counts differ; the copy was rolled back and nothing was written.", copies);
        }
        await MoveIdentitiesPastCopiedIdsAsync(target, tx, ct);
        await tx.CommitAsync(ct);
        return new CopyReport(copies, created, added, recorded, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Tables and views of anyone, in any schema but PostgreSQL's own.</summary>
    private static async Task<List<string>> ExistingTablesAsync(NpgsqlConnection target, NpgsqlTransaction tx, CancellationToken ct) =>
        [.. await target.QueryAsync<string>(new CommandDefinition("""
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
            ORDER BY 1
            """, transaction: tx, cancellationToken: ct))];

    private static async Task<TargetSchema> TargetSchemaAsync(NpgsqlConnection target, NpgsqlTransaction tx, CancellationToken ct)
    {
        var columns = (await target.QueryAsync<(string Table, string Column, string Type)>(new CommandDefinition("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """, transaction: tx, cancellationToken: ct)))
            .GroupBy(c => c.Table)
            .ToDictionary(
                g => g.Key,
                g => g.ToDictionary(c => c.Column, c => new TargetColumn(c.Column, ColumnType.FromPostgres(c.Type)), StringComparer.OrdinalIgnoreCase),
                StringComparer.Ordinal);
        var parents = (await target.QueryAsync<(string Child, string Parent)>(new CommandDefinition("""
            SELECT cl.relname, pa.relname FROM pg_constraint f
            JOIN pg_class cl ON cl.oid = f.conrelid JOIN pg_class pa ON pa.oid = f.confrelid
            WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace AND f.conrelid <> f.confrelid
            """, transaction: tx, cancellationToken: ct)))
            .ToLookup(p => p.Child, p => p.Parent);
        return new TargetSchema(columns, parents);
    }

    /// <summary>Parents before the tables whose foreign keys point at them; tables the bridge does not know have none, so come last.</summary>
    private static List<SourceTable> CopyOrder(IReadOnlyList<SourceTable> tables, TargetSchema schema)
    {
        List<SourceTable> ordered = [];
        var remaining = tables.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(t => schema.Parents[t.Name].All(p => ordered.Any(o => o.Name == p) || remaining.All(r => r.Name != p))).ToList();
            ordered.AddRange(ready.OrderBy(t => !schema.Columns.ContainsKey(t.Name)).ThenBy(t => t.Name, StringComparer.Ordinal));
            remaining.RemoveAll(ready.Contains);
        }
        return ordered;
    }

    private static async Task<List<SourceColumn>> SourceColumnsAsync(SqliteSnapshot snapshot, string table, CancellationToken ct) =>
        [.. (await snapshot.ColumnsAsync(table, ct)).Select(c => new SourceColumn(
            c.Name, c.DeclaredType, c.NotNull, c.Pk, c.StorageClasses, ColumnType.ForValues(table, c.Name, c.DeclaredType, c.StorageClasses)))];

    /// <summary>A table the bridge does not know, from its SQLite columns; an SQLite rowid key stays a key that numbers new rows.</summary>
    private static string CreateTableSql(string table, List<SourceColumn> columns)
    {
        var keys = columns.Where(c => c.Pk > 0).OrderBy(c => c.Pk).ToList();
        var rowidKey = keys is [{ DeclaredType: var type }] && type.Equals("INTEGER", StringComparison.OrdinalIgnoreCase) ? keys[0] : null;
        var definitions = columns.Select(c => c == rowidKey
            ? $"{Quote(c.Name)} BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            : $"{Quote(c.Name)} {c.Home.Sql}{(c.NotNull ? " NOT NULL" : "")}").ToList();
        if (rowidKey is null && keys.Count > 0)
        {
            definitions.Add($"PRIMARY KEY ({string.Join(", ", keys.Select(k => Quote(k.Name)))})");
        }
        return $"CREATE TABLE {Quote(table)} ({string.Join(", ", definitions)})";
    }

    private static async Task ImportAsync(SqliteSnapshot snapshot, NpgsqlConnection target, string table, List<SourceColumn> columns, CancellationToken ct)
    {
        // Numbers in a TEXT column are read as text, turned so by SQLite itself exactly as it shows them.
        var rows = snapshot.ReadRowsAsync(table, [.. columns.Select(c => new SnapshotRead(c.Name, AsText: c.Home == ColumnType.Text && c.HoldsNumbers))], ct);
        await using var import = await target.BeginBinaryImportAsync(
            $"COPY {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.TargetName)))}) FROM STDIN (FORMAT BINARY)", ct);
        var row = 0L;
        await foreach (var values in rows)
        {
            row++;
            await import.StartRowAsync(ct);
            for (var i = 0; i < columns.Count; i++)
            {
                if (values[i] is not { } value)
                {
                    await import.WriteNullAsync(ct);
                    continue;
                }
                await columns[i].Home.WriteAsync(import, value, $"{table}.{columns[i].Name} (row {row})", ct);
            }
        }
        await import.CompleteAsync(ct);
    }

    private static async Task MoveIdentitiesPastCopiedIdsAsync(NpgsqlConnection target, NpgsqlTransaction tx, CancellationToken ct)
    {
        var identities = await target.QueryAsync<(string Table, string Column)>(new CommandDefinition(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
            transaction: tx, cancellationToken: ct));
        foreach (var (table, column) in identities)
        {
            await target.ExecuteAsync(new CommandDefinition(
                $"SELECT setval(pg_get_serial_sequence(@table, @column), MAX({Quote(column)})) FROM {Quote(table)} HAVING MAX({Quote(column)}) IS NOT NULL",
                new { table = Quote(table), column }, tx, cancellationToken: ct));
        }
    }

    private sealed record TargetSchema(Dictionary<string, Dictionary<string, TargetColumn>> Columns, ILookup<string, string> Parents);

    private sealed record TargetColumn(string Name, ColumnType Type);

    /// <param name="Home">The PostgreSQL type its values go to.</param>
    private sealed record SourceColumn(string Name, string DeclaredType, bool NotNull, int Pk, IReadOnlySet<string> StorageClasses, ColumnType Home)
    {
        /// <summary>The column written in PostgreSQL: the target's own spelling for a column it knows.</summary>
        public string TargetName { get; init; } = Name;

        public bool HoldsNumbers => StorageClasses.Contains("integer") || StorageClasses.Contains("real");
    }
}

/// <summary>
/// Where SQLite values live in PostgreSQL. SQLite types values, not columns, so a column of its own gets the type its
/// values need (every value kept exactly), or, empty, the one its declared affinity suggests.
/// </summary>
internal sealed class ColumnType
{
    public static readonly ColumnType Text = new("TEXT", NpgsqlDbType.Text);
    public static readonly ColumnType BigInt = new("BIGINT", NpgsqlDbType.Bigint);
    public static readonly ColumnType Integer = new("INTEGER", NpgsqlDbType.Integer);
    public static readonly ColumnType Boolean = new("BOOLEAN", NpgsqlDbType.Boolean);
    public static readonly ColumnType Double = new("DOUBLE PRECISION", NpgsqlDbType.Double);
    public static readonly ColumnType Bytea = new("BYTEA", NpgsqlDbType.Bytea);
    public static readonly ColumnType PointInTime = new("TIMESTAMPTZ", NpgsqlDbType.TimestampTz);
    public static readonly ColumnType UtcTime = new("TIMESTAMP", NpgsqlDbType.Timestamp);

    private readonly NpgsqlDbType _dbType;

    private ColumnType(string sql, NpgsqlDbType dbType)
    {
        Sql = sql;
        _dbType = dbType;
    }

    public string Sql { get; }

    public static ColumnType FromPostgres(string dataType) => dataType switch
    {
        "bigint" or "smallint" => BigInt,
        "integer" => Integer,
        "boolean" => Boolean,
        "double precision" or "real" => Double,
        "bytea" => Bytea,
        "timestamp with time zone" => PointInTime,
        "timestamp without time zone" => UtcTime,
        _ => Text,
    };

    public static ColumnType ForValues(string table, string column, string declaredType, IReadOnlySet<string> classes)
    {
        if (classes.Contains("blob") && classes.Count > 1)
        {
            throw new CopyRefusedException($"{table}.{column} holds binary values beside other kinds, which no PostgreSQL column keeps alike; nothing was written.");
        }
        return classes.Count switch
        {
            0 => FromAffinity(declaredType),
            _ when classes.Contains("blob") => Bytea,
            _ when classes.Contains("text") => Text,
            _ when classes.Contains("real") => Double,
            _ => BigInt,
        };
    }

    /// <summary>SQLite's affinity rules (datatype3.html, 3.1), in its order; NUMERIC, with no values to go by, is kept as text.</summary>
    private static ColumnType FromAffinity(string declared)
    {
        var type = declared.ToUpperInvariant();
        return type.Contains("INT", StringComparison.Ordinal) ? BigInt
            : type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) ? Text
            : type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal) ? Bytea
            : type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal) ? Double
            : Text;
    }

    /// <summary>Writes one SQLite value; a value this type cannot hold exactly stops the copy, naming where it is.</summary>
    public Task WriteAsync(NpgsqlBinaryImporter import, object value, string where, CancellationToken ct)
    {
        object? converted = (_dbType, value) switch
        {
            (NpgsqlDbType.Text, string) => value,
            (NpgsqlDbType.Bigint, long) => value,
            // Text that is exactly an integer's own spelling (a version number in a TEXT column, say) loses nothing.
            (NpgsqlDbType.Bigint, string text) when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                && number.ToString(CultureInfo.InvariantCulture) == text => number,
            (NpgsqlDbType.Integer, long number) when number is >= int.MinValue and <= int.MaxValue => (int)number,
            // The control app's ORM stores its booleans as 1 and 0.
            (NpgsqlDbType.Boolean, long flag) when flag is 0 or 1 => flag == 1,
            (NpgsqlDbType.Double, long integer) => (double)integer,
            (NpgsqlDbType.Double, double) => value,
            (NpgsqlDbType.Bytea, byte[]) => value,
            // A time SQLite keeps as text (a zone, or UTC without one), to the microsecond PostgreSQL keeps.
            (NpgsqlDbType.TimestampTz, string text) when Instant(text) is { } instant => instant,
            (NpgsqlDbType.Timestamp, string text) when Instant(text) is { } instant => DateTime.SpecifyKind(instant.UtcDateTime, DateTimeKind.Unspecified),
            _ => null,
        };
        return converted is null
            ? throw new CopyRefusedException($"{where} holds {Describe(value)}, which PostgreSQL's {Sql} column cannot keep as it is; nothing was written.")
            : import.WriteAsync(converted, _dbType, ct);
    }

    private static DateTimeOffset? Instant(string text) =>
        Timestamps.TryParse(text, out var value) && value.UtcTicks % 10 == 0 ? value : null;

    private static string Describe(object value) => value switch
    {
        string text => $"the text '{(text.Length > 40 ? text[..40] + "…" : text)}'",
        byte[] bytes => $"{bytes.Length} bytes of binary data",
        _ => $"the number {Convert.ToString(value, CultureInfo.InvariantCulture)}",
    };
}

internal sealed record CopyReport(
    IReadOnlyList<TableCopy> Tables, IReadOnlyList<string> CreatedTables, IReadOnlyList<string> AddedColumns,
    IReadOnlyList<string> RecordedSteps, TimeSpan Elapsed);

internal sealed record TableCopy(string Name, long SourceRows, long CopiedRows);

/// <summary>The copy cannot be made as asked (a non-empty target, a value PostgreSQL cannot keep); nothing was written.</summary>
internal sealed class CopyRefusedException(string message) : Exception(message);

/// <summary>The copy ran but did not come out whole; it was rolled back.</summary>
internal sealed class CopyFailedException(string message, IReadOnlyList<TableCopy> tables) : Exception(message)
{
    public IReadOnlyList<TableCopy> Tables { get; } = tables;
}
