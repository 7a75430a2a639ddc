using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ChatBridge.Bench;

/// <summary>
/// The real ChatBridge host, started as its own process on a free loopback port with a fresh database in a temp
/// folder, rate limiting off and the per-IP WebSocket cap raised (all load comes from one address).
/// </summary>
internal sealed class HostProcess : IMeasuredHost, IAsyncDisposable
{
    private const string MallocArenas = "MALLOC_ARENA_MAX";

    private readonly Process _process;
    private readonly string _folder;
    private int _ended;

    private HostProcess(Process process, string folder, Uri baseAddress, string apiKey, string adminKey)
    {
        _process = process;
        _folder = folder;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        AdminKey = adminKey;
    }

    public Uri BaseAddress { get; }

    public string ApiKey { get; }

    public string AdminKey { get; }

    public int Pid => _process.Id;

    private string ConsoleLog => Path.Combine(_folder, "console.log");

    /// <summary>The host's SQLite file, which <see cref="StartCeilingAsync"/> reads too.</summary>
    public string DatabasePath => Path.Combine(_folder, "bench.db");

    public static Task<HostProcess> StartAsync(string hostDll, IReadOnlyList<string> extraArgs, int maxSocketsPerClient) =>
        StartAsync(hostDll, extraArgs, maxSocketsPerClient, NewKey(), NewKey());

    /// <summary>A host with the given keys: instances sharing one database must agree on them, since it stores them.</summary>
    public static async Task<HostProcess> StartAsync(string hostDll, IReadOnlyList<string> extraArgs, int maxSocketsPerClient, string apiKey, string adminKey)
    {
        var folder = Directory.CreateTempSubdirectory("chatbridge-bench-").FullName;
        var port = FreeLoopbackPort();
        return await StartProcessAsync(folder, port, apiKey, adminKey, [hostDll, .. new[]
        {
            "--urls", $"http://127.0.0.1:{port}",
            $"--ChatBridge:DatabasePath={Path.Combine(folder, "bench.db")}",
            $"--ChatBridge:LogPath={Path.Combine(folder, "logs")}",
            $"--ChatBridge:ApiKey={apiKey}",
            $"--ChatBridge:AdminKey={adminKey}",
            "--ChatBridge:RateLimiting:Enabled=false",
            $"--ChatBridge:WebSockets:MaxPerClient={maxSocketsPerClient}",
        }.Concat(extraArgs)]);
    }

    /// <summary>This benchmark in its <see cref="CeilingHost"/> mode, reading <paramref name="databasePath"/>.</summary>
    public static Task<HostProcess> StartCeilingAsync(string databasePath)
    {
        var folder = Directory.CreateTempSubdirectory("chatbridge-ceiling-").FullName;
        var port = FreeLoopbackPort();
        return StartProcessAsync(folder, port, apiKey: "", adminKey: "",
            [typeof(CeilingHost).Assembly.Location, CeilingHost.Mode, databasePath, $"http://127.0.0.1:{port}"]);
    }

    private static async Task<HostProcess> StartProcessAsync(string folder, int port, string apiKey, string adminKey, IReadOnlyList<string> dotnetArgs)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = folder, UseShellExecute = false };
        // As deploy/chatbridge.service runs the service: two malloc arenas instead of up to eight per core, which hold
        // freed native memory and read as growth in a soak. A value in the benchmark's own environment wins (an A/B).
        if (Environment.GetEnvironmentVariable(MallocArenas) is null)
        {
            start.Environment[MallocArenas] = "2";
        }
        // The shell only redirects the console to a file and execs, so the PID is the host's own. A pipe read by
        // this process would cost the load generator CPU, and one left unread would block the host.
        foreach (var arg in new[] { "-c", "out=$1; shift; exec \"$@\" >\"$out\" 2>&1", "sh", Path.Combine(folder, "console.log"), "dotnet" }.Concat(dotnetArgs))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host");
        var host = new HostProcess(process, folder, new Uri($"http://127.0.0.1:{port}/"), apiKey, adminKey);
        Leftovers.Hold(host);
        try
        {
            await host.WaitUntilHealthyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Peak (VmHWM) and current (VmRSS) resident memory of the host, in MiB.</summary>
    public (double PeakMb, double CurrentMb) Memory()
    {
        double peak = 0, current = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KbField(line) / 1024.0;
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = KbField(line) / 1024.0;
            }
        }
        return (peak, current);
    }

    /// <summary>User + system CPU time the host has used so far (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // The command name in field 2 may contain spaces; the fields after its closing parenthesis do not.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Once, by whichever comes first: the run's own <c>await using</c> or <see cref="Leftovers"/> on a signal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }
        Leftovers.Release(this);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                break;
            }
            try
            {
                using var response = await client.GetAsync(new Uri("health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        var log = File.Exists(ConsoleLog) ? await File.ReadAllTextAsync(ConsoleLog) : "";
        throw new InvalidOperationException($"The host did not become healthy. Its console output:\n{log}");
    }

    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long KbField(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
