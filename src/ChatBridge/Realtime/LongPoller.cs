using ChatBridge.Observability;

namespace ChatBridge.Realtime;

/// <summary>
/// The <c>wait</c> parameter of <c>responses</c> and <c>inbox</c>: with nothing new, hold the request until the
/// hub reports something or the deadline passes. The caller subscribes before the first query, so an event
/// that lands between the query and the wait is still in the subscription's queue and cannot be missed.
/// </summary>
internal sealed class LongPoller(TimeProvider time, IHostApplicationLifetime lifetime, BridgeMetrics metrics)
{
    public const int MaxWaitSeconds = 30;

    /// <param name="watch">The hub subscription taken before this call, or null not to wait at all.</param>
    /// <param name="query">Runs again after every event; it may find nothing (another poller was faster).</param>
    public async Task<T> RunAsync<T>(
        Subscription? watch, TimeSpan wait, Func<CancellationToken, Task<T>> query, Func<T, bool> hasNews, CancellationToken ct)
    {
        var result = await query(ct);
        if (watch is null || hasNews(result))
        {
            return result;
        }
        using var deadline = new CancellationTokenSource(wait, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, lifetime.ApplicationStopping, ct);
        metrics.LongPollStarted();
        try
        {
            return await WaitAsync(watch, result, query, hasNews, waiting.Token, ct);
        }
        finally
        {
            metrics.LongPollEnded();
        }
    }

    private static async Task<T> WaitAsync<T>(
        Subscription watch, T result, Func<CancellationToken, Task<T>> query, Func<T, bool> hasNews, CancellationToken waiting, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if (!await watch.Events.WaitToReadAsync(waiting))
                {
                    return result;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The deadline or server shutdown: answer with what we have (nothing new).
                return result;
            }
            // Any event may mean news; draining first means a later one wakes us again.
            while (watch.Events.TryRead(out _))
            {
            }
            result = await query(ct);
            if (hasNews(result))
            {
                return result;
            }
        }
    }
}
