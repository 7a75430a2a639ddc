using System.Reflection;
using System.Runtime.InteropServices;
using ChatBridge.Bench;
using ChatBridge.Bench.Soak;
using ChatBridge.Bench.Workloads;

if (args is [CeilingHost.Mode, var databasePath, var url])
{
    await CeilingHost.RunAsync(databasePath, url);
    return 0;
}
var statsArgs = args is [StatsBenchmark.Mode, .. var rest] ? rest : null;
var uploadArgs = args is [UploadBenchmark.Mode, .. var uploadRest] ? uploadRest : null;
var soak = args is [SoakBenchmark.Mode, .. var soakRest] ? SoakOptions.Parse(soakRest) : null;
if (args is [SoakBenchmark.Mode, ..] && soak is null)
{
    return 2;
}
var options = soak?.Bench ?? (statsArgs is null && uploadArgs is null ? BenchOptions.Parse(args) : new BenchOptions());
if (options is null)
{
    return 2;
}
var configuration = typeof(BenchOptions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
if (configuration != "Release")
{
    Console.Error.WriteLine($"Benchmark a Release build only:\n{BenchOptions.Usage}");
    return 2;
}
// The project reference has already built the host in this configuration, beside its sources.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "ChatBridge.sln")))
{
    root = root.Parent;
}
var hostDll = options.HostDll ?? Path.Combine(root?.FullName ?? ".", "src", "ChatBridge", "bin", configuration, "net10.0", "ChatBridge.dll");
if (!File.Exists(hostDll))
{
    Console.Error.WriteLine($"The host is not built at {hostDll}.");
    return 2;
}

if (statsArgs is not null)
{
    return await StatsBenchmark.RunAsync(hostDll, statsArgs);
}
if (uploadArgs is not null)
{
    return await UploadBenchmark.RunAsync(hostDll, uploadArgs);
}
if (soak is not null)
{
    return await SoakBenchmark.RunAsync(hostDll, soak);
}

var cpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
Console.WriteLine($"""
    ChatBridge benchmark: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores ({cpuModel})
    Host: {hostDll} {string.Join(' ', options.HostArgs)}
    The load generator runs on the same {Environment.ProcessorCount} cores as the host, so every figure below is what the host
    achieves while sharing the CPU with its clients: see each workload's CPU line.
    Warm-up {options.Warmup.TotalSeconds} s, then {options.Duration.TotalSeconds} s measured per workload; fresh hosts and database for each.
    Database: {(options.Provider == BenchOptions.Postgres ? "PostgreSQL" : "SQLite")}, {options.Instances} instance(s){(options.Instances > 1 ? ", load round-robin over them" : "")}.

    """);

var allPassed = true;
foreach (var workload in options.Workloads)
{
    await using var database = await BenchDatabase.CreateAsync(options);
    await using var hosts = await HostGroup.StartAsync(hostDll, options, database);
    using var clients = new BridgeClients(hosts, maxConnections: options.Concurrency + 16);
    await using var scraper = options.ScrapeInterval is { } every ? MetricsScraper.Start(hosts.First.BaseAddress, every) : null;
    var report = workload switch
    {
        "w1" => await PollingWorkload.RunAsync(hosts, clients, options),
        "w2" => await PostingWorkload.RunAsync(hosts, clients, options),
        "w3" => await RoundTripWorkload.RunAsync(hosts, clients, options),
        _ => await PushWorkload.RunAsync(hosts, clients, options),
    };
    if (scraper is not null)
    {
        report.Add("/metrics scrapes", await scraper.StopAsync());
    }
    if (await WriteLockHold.DescribeAsync(hosts.First.BaseAddress) is { } held)
    {
        report.Add("write lock held per transaction", held);
    }
    report.Print(Console.Out);
    allPassed &= report.AllPassed;
}
Console.WriteLine(allPassed ? "All targets met." : "Some targets were missed (FAIL above).");
return allPassed ? 0 : 1;
