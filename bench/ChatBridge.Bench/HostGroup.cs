namespace ChatBridge.Bench;

/// <summary>
/// The bridge instances of one workload, each its own process on its own loopback port, all on one database and
/// with the same keys. CPU is their sum; memory is the largest instance's (each has its own limit to meet).
/// </summary>
internal sealed class HostGroup : IMeasuredHost, IAsyncDisposable
{
    private HostGroup(IReadOnlyList<HostProcess> hosts) => Hosts = hosts;

    public IReadOnlyList<HostProcess> Hosts { get; }

    public HostProcess First => Hosts[0];

    /// <summary>
    /// Starts the instances one after the other: the first creates the schema and stores the keys, the others find
    /// them, as when a second instance joins a running one.
    /// </summary>
    public static async Task<HostGroup> StartAsync(string hostDll, BenchOptions options, BenchDatabase database)
    {
        var apiKey = HostProcess.NewKey();
        var adminKey = HostProcess.NewKey();
        // The benchmark's database first, so that a --host-arg can still override it.
        IReadOnlyList<string> args = [.. database.HostArgs, .. options.HostArgs];
        var hosts = new List<HostProcess>();
        try
        {
            for (var i = 0; i < options.Instances; i++)
            {
                hosts.Add(await HostProcess.StartAsync(hostDll, args, options.Sockets + 1000, apiKey, adminKey));
            }
            return new HostGroup(hosts);
        }
        catch
        {
            await StopAsync(hosts);
            throw;
        }
    }

    public TimeSpan CpuTime() => Hosts.Aggregate(TimeSpan.Zero, (sum, host) => sum + host.CpuTime());

    public (double PeakMb, double CurrentMb) Memory()
    {
        var each = Hosts.Select(h => h.Memory()).ToList();
        return (each.Max(m => m.PeakMb), each.Max(m => m.CurrentMb));
    }

    public ValueTask DisposeAsync() => new(StopAsync(Hosts));

    private static async Task StopAsync(IEnumerable<HostProcess> hosts)
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }
}
