namespace ChatBridge.Bench;

/// <summary>One <see cref="BridgeClient"/> per instance, sharing one failure tally; load goes round-robin over them.</summary>
internal sealed class BridgeClients : IDisposable
{
    private readonly BridgeClient[] _clients;
    private int _next = -1;

    public BridgeClients(HostGroup hosts, int maxConnections) =>
        _clients = [.. hosts.Hosts.Select(h => new BridgeClient(h.BaseAddress, h.ApiKey, maxConnections, Failures))];

    public ErrorTally Failures { get; } = new();

    public int Count => _clients.Length;

    /// <summary>The next instance's client, round-robin.</summary>
    public BridgeClient Next => _clients[(int)((uint)Interlocked.Increment(ref _next) % (uint)_clients.Length)];

    /// <summary>The client of instance <paramref name="instance"/> (modulo the instance count).</summary>
    public BridgeClient this[int instance] => _clients[instance % _clients.Length];

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
