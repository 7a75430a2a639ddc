using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// A PostgreSQL cluster of one test's own, on a free loopback port in a temp folder, which the test can stop (as a
/// crash would: <c>pg_ctl stop -m immediate</c>) and start again. PostgreSQL refuses to run as root, so as root it runs
/// as the <c>chatbridge-ci</c> user that <c>.ci/postgres</c> creates. Disposing stops it and removes its folder.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private const string ServiceUser = "chatbridge-ci";

    private readonly string _folder;
    private readonly string _bin;
    private readonly int _port;

    private PrivateCluster(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        _port = port;
    }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = _port, Username = "chatbridge_test", Database = "postgres",
    }.ToString();

    private string Data => Path.Combine(_folder, "data");

    public static async Task<PrivateCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(Directory.Exists)
                .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var major) ? major : 0).LastOrDefault()
            : null;
        Assert.True(bin is not null, "a private PostgreSQL cluster needs Debian's postgresql package (/usr/lib/postgresql/*/bin)");
        var cluster = new PrivateCluster(Directory.CreateTempSubdirectory("chatbridge-pg-private-").FullName, bin!, FreeLoopbackPort());
        try
        {
            Directory.CreateDirectory(Path.Combine(cluster._folder, "socket"));
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", "-R", ServiceUser, cluster._folder);
            }
            await cluster.RunPostgresToolAsync("initdb", "-D", cluster.Data, "--username=chatbridge_test", "--auth=trust",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
            await cluster.StartAgainAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the stopped cluster on its port and returns once it accepts connections.</summary>
    public Task StartAgainAsync() => RunPostgresToolAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60", "start",
        "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -c unix_socket_directories={Path.Combine(_folder, "socket")} -c fsync=on");

    /// <summary>Stops at once, without a checkpoint, as a crash or a killed server would.</summary>
    public Task CrashAsync() => RunPostgresToolAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            await CrashAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }

    private Task RunPostgresToolAsync(string tool, params string[] arguments) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", ServiceUser, "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await errors}");
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
