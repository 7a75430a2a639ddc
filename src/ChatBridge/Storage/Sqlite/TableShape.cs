using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Brings a table to a declared shape when its columns, types, NOT NULLs, unique keys or (where asked) defaults differ. SQLite alters
/// little in place, so such a table is rebuilt: a new one is made in the declared shape, with every column only the old
/// one had kept beside them, every row copied (missing values filled as the caller says), the counts compared, the old
/// one dropped and the new one renamed, its indexes and triggers made again. It runs inside the migration's transaction,
/// on a connection whose foreign keys are off, so dropping the old table changes nothing in the tables that refer to it.
/// </summary>
internal static class TableShape
{
    /// <param name="create">The declared <c>CREATE TABLE</c>, with <c>{table}</c> in place of the table's name.</param>
    /// <param name="fill">Per column, the SQL over the old table's columns that gives its value; a column neither here
    /// nor in the old table takes its default.</param>
    /// <param name="compareDefaults">Whether a column's default is part of its shape. The control app's ORM sets its
    /// defaults itself and declares none, so its own tables have none; a chat table's defaults are what lets another
    /// program's insert leave its columns out.</param>
    /// <returns>Whether the table was rebuilt.</returns>
    public static async Task<bool> EnsureAsync(
        DbConnection connection, DbTransaction tx, string table, string create,
        Func<IReadOnlySet<string>, IReadOnlyDictionary<string, string>> fill, CancellationToken ct, bool compareDefaults = false)
    {
        var existing = await ColumnsAsync(connection, tx, table, ct);
        if (existing.Count == 0 || await MatchesAsync(connection, tx, table, create, existing, compareDefaults, ct))
        {
            return false;
        }
        var rebuilt = "chatbridge_rebuilt_" + table;
        await RunAsync(connection, tx, $"DROP TABLE IF EXISTS {Quote(rebuilt)}", ct);
        await RunAsync(connection, tx, create.Replace("{table}", Quote(rebuilt), StringComparison.Ordinal), ct);
        var declared = await ColumnsAsync(connection, tx, rebuilt, ct);
        foreach (var kept in existing.Values.Where(c => !declared.ContainsKey(c.Name)))
        {
            await RunAsync(connection, tx, $"ALTER TABLE {Quote(rebuilt)} ADD COLUMN {Quote(kept.Name)} {kept.Type}", ct);
        }
        var names = new HashSet<string>(existing.Keys, StringComparer.OrdinalIgnoreCase);
        var values = fill(names);
        var copied = (await ColumnsAsync(connection, tx, rebuilt, ct)).Keys
            .Select(c => (Column: c, Value: values.TryGetValue(c, out var expression) ? expression : names.Contains(c) ? Quote(c) : null))
            .Where(c => c.Value is not null)
            .ToList();
        await RunAsync(connection, tx,
            $"INSERT INTO {Quote(rebuilt)} ({string.Join(", ", copied.Select(c => Quote(c.Column)))}) SELECT {string.Join(", ", copied.Select(c => c.Value))} FROM {Quote(table)}", ct);
        var before = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {Quote(table)}", transaction: tx, cancellationToken: ct));
        var after = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {Quote(rebuilt)}", transaction: tx, cancellationToken: ct));
        if (before != after)
        {
            throw new InvalidOperationException($"Rebuilding {table} copied {after} of its {before} rows; nothing was changed.");
        }
        var recreate = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT sql FROM sqlite_master WHERE tbl_name = @table AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            new { table }, tx, cancellationToken: ct))).ToList();
        await RunAsync(connection, tx, $"DROP TABLE {Quote(table)}", ct);
        await RunAsync(connection, tx, $"ALTER TABLE {Quote(rebuilt)} RENAME TO {Quote(table)}", ct);
        foreach (var sql in recreate)
        {
            await RunAsync(connection, tx, sql, ct);
        }
        return true;
    }

    /// <summary>Every declared column is there as declared, and every declared unique key too.</summary>
    private static async Task<bool> MatchesAsync(
        DbConnection connection, DbTransaction tx, string table, string create, IReadOnlyDictionary<string, Column> existing,
        bool compareDefaults, CancellationToken ct)
    {
        const string probe = "chatbridge_declared_shape";
        await RunAsync(connection, tx, create.Replace("CREATE TABLE IF NOT EXISTS {table}", $"CREATE TEMP TABLE {probe}", StringComparison.Ordinal), ct);
        try
        {
            var declared = await ColumnsAsync(connection, tx, probe, ct);
            var sameColumns = declared.Values.All(d => existing.TryGetValue(d.Name, out var e) && e == d
                && (!compareDefaults || e.DefaultValue == d.DefaultValue));
            return sameColumns && (await UniqueKeysAsync(connection, tx, probe, ct)).IsSubsetOf(await UniqueKeysAsync(connection, tx, table, ct));
        }
        finally
        {
            await RunAsync(connection, tx, $"DROP TABLE temp.{probe}", ct);
        }
    }

    private static async Task<IReadOnlyDictionary<string, Column>> ColumnsAsync(DbConnection connection, DbTransaction tx, string table, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<Column>(new CommandDefinition(
            "SELECT name, type, \"notnull\" AS not_null, dflt_value AS default_value, pk FROM pragma_table_info(@table)",
            new { table }, tx, cancellationToken: ct));
        return rows.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Each unique index as the sorted list of its columns, the table's own name left out of it.</summary>
    private static async Task<HashSet<string>> UniqueKeysAsync(DbConnection connection, DbTransaction tx, string table, CancellationToken ct)
    {
        var indexes = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM pragma_index_list(@table) WHERE \"unique\" = 1", new { table }, tx, cancellationToken: ct));
        HashSet<string> keys = [];
        foreach (var index in indexes)
        {
            var columns = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT name FROM pragma_index_info(@index)", new { index }, tx, cancellationToken: ct));
            keys.Add(string.Join(",", columns.Select(c => c.ToLowerInvariant()).Order(StringComparer.Ordinal)));
        }
        return keys;
    }

    private static Task RunAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A column as <c>pragma_table_info</c> describes it; two of the same name, type, NOT NULL and key compare equal.</summary>
    private sealed record Column
    {
        public string Name { get; init; } = "";

        public string Type { get; init; } = "";

        public long NotNull { get; init; }

        public string? DefaultValue { get; init; }

        public long Pk { get; init; }

        public bool Equals(Column? other) =>
            other is not null && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Type, other.Type, StringComparison.OrdinalIgnoreCase) && NotNull == other.NotNull && Pk == other.Pk;

        public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Name);
    }
}
