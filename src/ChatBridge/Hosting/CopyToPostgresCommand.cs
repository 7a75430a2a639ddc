using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ChatBridge.Data.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBridge.Hosting;

/// <summary>
/// <c>copy-to-postgres [--to CONNECTION_STRING]</c>: copies the configured SQLite control database (every table, the
/// control app's and unknown ones included) into an empty PostgreSQL database, by default the one in
/// <c>ChatBridge:Database:ConnectionString</c>, and checks the row counts table by table (see <see cref="SqliteToPostgresCopy"/>).
/// </summary>
internal sealed record CopyToPostgresCommand(string? Target) : IHostCommand
{
    public const string Usage = "usage: ChatBridge copy-to-postgres [--to CONNECTION_STRING]";

    /// <summary>The source must come out byte for byte as it was, so Program must not upgrade it or seed keys first.</summary>
    public bool InitializesDatabase => false;

    public static (IHostCommand Command, string[] HostArgs) Parse(string[] args) => args switch
    {
        ["copy-to-postgres", "--to", var target, .. var rest] when !target.StartsWith('-') => (new CopyToPostgresCommand(target), rest),
        ["copy-to-postgres", .. var rest] => (new CopyToPostgresCommand(Target: null), rest),
        _ => throw new ArgumentException("Not a copy-to-postgres command.", nameof(args)),
    };

    public async Task<int> RunAsync(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value;
        var environment = services.GetRequiredService<IHostEnvironment>();
        var source = BridgePaths.Resolve(options.DatabasePath, environment);
        if ((Target ?? options.Database.ConnectionString) is not { Length: > 0 } connectionString)
        {
            await Console.Error.WriteLineAsync($"{Usage}\nName the target with --to or ChatBridge:Database:ConnectionString.");
            return 2;
        }
        NpgsqlConnectionStringBuilder target;
        try
        {
            target = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"The PostgreSQL connection string does not parse: {e.Message}");
            return 2;
        }
        var where = $"PostgreSQL {target.Host}:{target.Port}/{target.Database ?? target.Username}";
        if (!File.Exists(source))
        {
            await Console.Error.WriteLineAsync($"There is no SQLite database at {source} (ChatBridge:DatabasePath); nothing was copied.");
            return 1;
        }

        await Console.Out.WriteLineAsync($"Copying {source} to {where}.");
        try
        {
            var report = await ActivatorUtilities.CreateInstance<SqliteToPostgresCopy>(services).CopyAsync(source, connectionString, CancellationToken.None);
            await Console.Out.WriteAsync(Describe(report));
            return 0;
        }
        catch (CopyFailedException e)
        {
            await Console.Out.WriteAsync(CountTable(e.Tables));
            await Console.Error.WriteLineAsync(e.Message);
        }
        catch (CopyRefusedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            var detail = e is PostgresException { Detail: { Length: > 0 } d } ? $" ({d})" : "";
            await Console.Error.WriteLineAsync($"The copy to {where} failed: {e.Message}{detail}. Nothing was written.");
        }
        catch (SqliteException e)
        {
            await Console.Error.WriteLineAsync($"Could not read {source}: {e.Message}. Nothing was written.");
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
            text.AppendLine($"Schema steps recorded after the copied history: {string.Join(", ", report.RecordedSteps.Select(s => s[..3]))}.");
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
}
