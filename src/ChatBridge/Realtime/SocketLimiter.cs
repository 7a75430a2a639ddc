using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Realtime;

/// <summary>Counts open WebSockets per client IP so no client can hold more than <see cref="WebSocketLimits.MaxPerClient"/>.</summary>
internal sealed class SocketLimiter(IOptions<ChatBridgeOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A lease to dispose when the socket ends, or null when the client is at its limit.</summary>
    public IDisposable? TryAcquire(string client)
    {
        lock (_lock)
        {
            var count = _open.GetValueOrDefault(client);
            if (count >= options.Value.WebSockets.MaxPerClient)
            {
                return null;
            }
            _open[client] = count + 1;
        }
        return new Lease(this, client);
    }

    private void Release(string client)
    {
        lock (_lock)
        {
            if (_open[client] == 1)
            {
                _open.Remove(client);
            }
            else
            {
                _open[client]--;
            }
        }
    }

    private sealed class Lease(SocketLimiter limiter, string client) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(client);
            }
        }
    }
}
