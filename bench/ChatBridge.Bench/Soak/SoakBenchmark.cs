using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ChatBridge.Bench.Soak;

/// <summary>
/// <c>soak</c>: the release build under a steady mixed load (<see cref="SoakLoad"/>) for half an hour by default,
/// sampled every ten seconds (<see cref="SoakSample"/>), judged by <see cref="SoakVerdict"/>; the samples are written
/// as CSV and drawn as a PNG (<see cref="SoakPlot"/>).
/// </summary>
internal static class SoakBenchmark
{
    public const string Mode = "soak";

    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string hostDll, SoakOptions options)
    {
        Directory.CreateDirectory(options.OutFolder);
        var provider = options.Bench.Provider == BenchOptions.Postgres ? "PostgreSQL" : "SQLite";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            ChatBridge soak: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {provider}
            Host: {hostDll} {string.Join(' ', options.Bench.HostArgs)}
            {options.Duration.TotalMinutes:0} minutes of steady load, sampled every {SampleEvery.TotalSeconds:0} s; samples and plot in {options.OutFolder}

            """));

        await using var database = await BenchDatabase.CreateAsync(options.Bench);
        await using var hosts = await HostGroup.StartAsync(hostDll, options.Bench, database);
        var host = hosts.First;
        using var client = new BridgeClient(host.BaseAddress, host.ApiKey, maxConnections: 64, new ErrorTally());
        var actions = new SoakActions();
        using var load = new SoakLoad(host, client, actions);
        using var sampler = new SoakSampler(host, database.ConnectionString);
        using var stop = new CancellationTokenSource();

        var samples = new List<SoakSample>();
        var csv = Path.Combine(options.OutFolder, "samples.csv");
        await File.WriteAllTextAsync(csv, SoakSample.CsvHeader + "\n");
        var started = Stopwatch.StartNew();
        samples.Add(await sampler.TakeAsync(0, actions));
        var running = load.RunAsync(stop.Token);
        using var timer = new PeriodicTimer(SampleEvery);
        while (started.Elapsed < options.Duration && await timer.WaitForNextTickAsync())
        {
            var sample = await sampler.TakeAsync(started.Elapsed.TotalMinutes, actions);
            samples.Add(sample);
            await File.AppendAllTextAsync(csv, sample.ToCsv() + "\n");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{sample.Minutes,5:0.0} min  RSS {sample.RssMb,6:0.0} MiB  private {sample.PrivateMb,6:0.0} MiB  GC heap {sample.GcHeapMb,6:0.0} MiB  full GCs {sample.FullCollections,3}  threads {sample.Threads,3}  handles {sample.Handles,4}  db {sample.DatabaseMb,7:0.0} MiB  WAL {sample.WalMb,6:0.0} MiB  calls {sample.Calls,8}  errors {sample.Errors}"));
        }
        await stop.CancelAsync();
        await running;

        var png = Path.Combine(options.OutFolder, "soak.png");
        SoakPlot.Save(samples, string.Create(CultureInfo.InvariantCulture,
            $"ChatBridge soak on {provider}: {options.Duration.TotalMinutes:0} min, {Environment.ProcessorCount} cores shared with the load (dashed: end of warm-up)"), png);
        Console.WriteLine($"Plot: {png}");
        return SoakVerdict.Print(samples, actions, Console.Out) ? 0 : 1;
    }
}
