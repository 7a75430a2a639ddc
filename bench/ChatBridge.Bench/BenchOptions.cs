using System.Globalization;

namespace ChatBridge.Bench;

internal sealed record BenchOptions
{
    public static readonly string[] AllWorkloads = ["w1", "w2", "w3", "w4"];

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Where <c>--postgres</c> is read from when not given, so the password need not be on the command line.</summary>
    public const string PostgresVariable = "CHATBRIDGE_BENCH_POSTGRES";

    /// <summary><see cref="Sqlite"/> (a file per host) or <see cref="Postgres"/> (a fresh database per workload).</summary>
    public string Provider { get; private init; } = Sqlite;

    /// <summary>A PostgreSQL connection string allowed to create and drop databases.</summary>
    public string? PostgresConnectionString { get; private init; }

    /// <summary>Bridge hosts sharing the database; HTTP load goes round-robin over them.</summary>
    public int Instances { get; private init; } = 1;

    public Targets Targets => Provider == Postgres ? Targets.Postgres : Targets.Sqlite;

    public IReadOnlyList<string> Workloads { get; private init; } = AllWorkloads;

    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Run before each measured window and not counted: connection pools and SQLite's page cache fill, and the JIT
    /// recompiles the hot paths, which under load on two shared cores takes about ten seconds (posting rises from
    /// ~2 700 to ~5 000 messages/s over that time). A service runs for days; the window measures that state.
    /// </summary>
    public TimeSpan Warmup { get; private init; } = TimeSpan.FromSeconds(10);

    /// <summary>Concurrent clients for the HTTP workloads w1 and w2.</summary>
    public int Concurrency { get; private init; } = 32;

    public int Sockets { get; private init; } = 10_000;

    /// <summary>Loopback addresses w4's sockets come from; null for one per 20 000 sockets.</summary>
    public int? SocketAddresses { get; private init; }

    /// <summary>Passed to the host as they are, e.g. <c>--Serilog:MinimumLevel:Default=Warning</c>.</summary>
    public IReadOnlyList<string> HostArgs { get; private init; } = [];

    /// <summary>Scrape <c>/metrics</c> this often during every workload, as Prometheus would; null never.</summary>
    public TimeSpan? ScrapeInterval { get; private init; }

    /// <summary>Another build of the host to run, e.g. a published (ReadyToRun) one; null for the project's Release build.</summary>
    public string? HostDll { get; private init; }

    /// <summary>Print w1's and w2's completed operations for every second from the start, warm-up included.</summary>
    public bool Timeline { get; private init; }

    public const string Usage = """
        dotnet run -c Release --project bench/ChatBridge.Bench -- [options]
          --workload w1,w2,w3,w4   which workloads to run (default: all)
          --provider sqlite|postgres
                                   the hosts' database (default sqlite); postgres creates a database for each workload and drops it after
          --postgres "CONNSTRING"  the PostgreSQL server, as a user who may create databases (default: $CHATBRIDGE_BENCH_POSTGRES)
          --instances N            bridge hosts on the same database, each on its own port (default 1; more need postgres)
          --duration SECONDS       measured time per workload (default 10)
          --warmup SECONDS         unmeasured time before it (default 10)
          --concurrency N          concurrent HTTP clients in w1 and w2 (default 32)
          --sockets N              WebSockets to open in w4 (default 10000)
          --socket-addresses N     loopback addresses w4's sockets come from, 127.0.0.2 and up (default: one per 20000 sockets;
                                   one means 127.0.0.1 as the system chooses)
          --host-arg ARG           pass ARG to the host; repeatable (e.g. --host-arg --Serilog:MinimumLevel:Default=Warning)
          --scrape-metrics SECONDS scrape /metrics this often while each workload runs (default: never)
          --host-dll PATH          run this ChatBridge.dll instead of the Release build (e.g. a ReadyToRun publish)
          --timeline               print w1/w2 operations per second from the host's first request (warm-up included)
        """;

    /// <summary>The options, or null (after printing why) when the arguments are wrong.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        var hostArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--workload" when value is not null && value.Split(',').All(AllWorkloads.Contains):
                    options = options with { Workloads = value.Split(',') };
                    break;
                case "--provider" when value is Sqlite or Postgres:
                    options = options with { Provider = value };
                    break;
                case "--postgres" when !string.IsNullOrWhiteSpace(value):
                    options = options with { PostgresConnectionString = value };
                    break;
                case "--instances" when PositiveInt(value) is { } n and <= 16:
                    options = options with { Instances = n };
                    break;
                case "--duration" when PositiveInt(value) is { } seconds:
                    options = options with { Duration = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--warmup" when PositiveInt(value) is { } seconds:
                    options = options with { Warmup = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--concurrency" when PositiveInt(value) is { } n:
                    options = options with { Concurrency = n };
                    break;
                case "--sockets" when PositiveInt(value) is { } n:
                    options = options with { Sockets = n };
                    break;
                case "--socket-addresses" when PositiveInt(value) is { } n and <= 250:
                    options = options with { SocketAddresses = n };
                    break;
                case "--host-arg" when value is not null:
                    hostArgs.Add(value);
                    break;
                case "--scrape-metrics" when PositiveInt(value) is { } seconds:
                    options = options with { ScrapeInterval = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--host-dll" when value is not null && File.Exists(value):
                    options = options with { HostDll = Path.GetFullPath(value) };
                    break;
                case "--timeline":
                    options = options with { Timeline = true };
                    continue;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'{(value is null ? "" : $" '{value}'")}.\n\n{Usage}");
                    return null;
            }
            i++;
        }
        options = options with
        {
            HostArgs = hostArgs,
            PostgresConnectionString = options.PostgresConnectionString ?? Environment.GetEnvironmentVariable(PostgresVariable),
        };
        if (options.Provider == Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            Console.Error.WriteLine($"--provider postgres needs --postgres or ${PostgresVariable}.\n\n{Usage}");
            return null;
        }
        if (options.Provider == Sqlite && options.Instances > 1)
        {
            Console.Error.WriteLine($"Several instances share a database on PostgreSQL only: a SQLite file has one writer.\n\n{Usage}");
            return null;
        }
        return options;
    }

    private static int? PositiveInt(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
