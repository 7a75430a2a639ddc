using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace ChatBridge.Bench.Soak;

/// <summary>One look at the host, every ten seconds: its memory, threads and handles, the database's size, each action's p99.</summary>
/// <param name="RssMb">All resident memory, mapped files (the runtime's and the framework's code) included.</param>
/// <param name="PrivateMb">Resident anonymous memory (<c>RssAnon</c>): the GC's and every native allocation, what a leak grows.</param>
/// <param name="FullCollections">Gen2 collections so far, background ones included: where the GC sawtooth's teeth are.</param>
internal sealed record SoakSample(
    double Minutes, double RssMb, double PrivateMb, double GcHeapMb, long FullCollections, int Threads, int Handles, double DatabaseMb, double WalMb, long Calls, long Errors,
    IReadOnlyDictionary<string, double?> P99Ms)
{
    public static string CsvHeader => "minutes,rss_mb,private_mb,gc_heap_mb,full_gcs,threads,handles,database_mb,wal_mb,calls,errors,"
        + string.Join(',', SoakActions.Names.Select(n => "p99_ms_" + n.Replace(' ', '_')));

    public string ToCsv() => string.Join(',', new object?[] { Minutes, RssMb, PrivateMb, GcHeapMb, FullCollections, Threads, Handles, DatabaseMb, WalMb, Calls, Errors }
        .Concat(SoakActions.Names.Select(n => (object?)P99Ms[n]))
        .Select(v => v is IFormattable f ? f.ToString(v is double ? "0.###" : null, CultureInfo.InvariantCulture) : ""));
}

/// <summary>Takes <see cref="SoakSample"/>s of one host process and its database (SQLite's file and WAL, or PostgreSQL's).</summary>
internal sealed partial class SoakSampler(HostProcess host, string? postgresConnectionString) : IDisposable
{
    private readonly HttpClient _metrics = new() { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public async Task<SoakSample> TakeAsync(double minutes, SoakActions actions)
    {
        var status = File.ReadAllLines($"/proc/{host.Pid}/status");
        var (database, wal) = await DatabaseSizeAsync();
        var metrics = await _metrics.GetStringAsync(new Uri("metrics", UriKind.Relative));
        return new SoakSample(
            minutes,
            Field(status, "VmRSS:") / 1024.0,
            Field(status, "RssAnon:") / 1024.0,
            HeapLine().Matches(metrics).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) / (1024.0 * 1024.0),
            long.Parse(FullCollectionsLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture),
            (int)Field(status, "Threads:"),
            Directory.EnumerateFileSystemEntries($"/proc/{host.Pid}/fd").Count(),
            database / (1024.0 * 1024.0),
            wal / (1024.0 * 1024.0),
            actions.TotalCalls,
            actions.TotalErrors,
            actions.TakeWindow());
    }

    public void Dispose() => _metrics.Dispose();

    private async Task<(double Database, double Wal)> DatabaseSizeAsync()
    {
        if (postgresConnectionString is null)
        {
            return (Length(host.DatabasePath), Length(host.DatabasePath + "-wal"));
        }
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        // The WAL is the server's, shared by every database on it: on a throwaway cluster, this one's.
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())::float8, (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::float8", connection);
        await using var reader = await size.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    private static double Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static long Field(string[] status, string name) =>
        long.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>The managed heap after the last collection, one line per generation: the runtime's own figure on <c>/metrics</c>.</summary>
    [GeneratedRegex(@"(?m)^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} ([0-9.eE+]+)")]
    private static partial Regex HeapLine();

    [GeneratedRegex(@"(?m)^dotnet_gc_collections_total\{[^}]*gc_heap_generation=""gen2""[^}]*\} ([0-9]+)")]
    private static partial Regex FullCollectionsLine();
}
