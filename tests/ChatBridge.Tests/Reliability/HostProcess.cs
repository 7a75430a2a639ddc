using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChatBridge.Tests.Hosting;

namespace ChatBridge.Tests.Reliability;

/// <summary>The real service as its own process on a loopback port, so a test can kill it outright.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<HostProcess> StartAsync(string databasePath, string logPath, params string[] extraArgs)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var process = Process.Start(AppProcess.StartInfo(AppProcess.BuiltFolder, Path.GetDirectoryName(databasePath)!,
        [
            $"--urls={address}",
            $"--ChatBridge:DatabasePath={databasePath}",
            $"--ChatBridge:LogPath={logPath}",
            $"--ChatBridge:ApiKey={BridgeApp.ApiKey}",
            $"--ChatBridge:AdminKey={BridgeApp.AdminKey}",
            "--ChatBridge:RateLimiting:Enabled=false",
            "--Serilog:MinimumLevel:Default=Warning",
            .. extraArgs,
        ]))!;
        // Drain the pipes so a chatty host never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new HostProcess(process, address);
        using var client = host.Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        host.Dispose();
        throw new TimeoutException("The host did not become healthy within 60 s.");
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops a service; returns how long the process took to exit and its exit code.</summary>
    public async Task<(TimeSpan Elapsed, int ExitCode)> TerminateAsync(TimeSpan patience)
    {
        var started = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(patience);
        await _process.WaitForExitAsync(timeout.Token);
        return (started.Elapsed, _process.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
