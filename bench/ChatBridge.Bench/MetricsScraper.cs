namespace ChatBridge.Bench;

/// <summary>Scrapes the host's <c>/metrics</c> at a fixed interval while a workload runs, as Prometheus would.</summary>
internal sealed class MetricsScraper : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _scrapes;
    private int _failures;
    private long _bytes;

    private MetricsScraper(Uri baseAddress, TimeSpan every)
    {
        _client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        _loop = RunAsync(every);
    }

    public static MetricsScraper Start(Uri baseAddress, TimeSpan every) => new(baseAddress, every);

    /// <summary>Stops scraping and says how it went, e.g. <c>20 (0 failed), 14 KB each</c>.</summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return FormattableString.Invariant($"{_scrapes} ({_failures} failed), {(_scrapes == 0 ? 0 : _bytes / _scrapes / 1024)} KB each");
    }

    private async Task RunAsync(TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    var text = await _client.GetStringAsync(new Uri("metrics", UriKind.Relative), _stop.Token);
                    _bytes += text.Length;
                    _scrapes++;
                }
                catch (HttpRequestException)
                {
                    _failures++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
        _client.Dispose();
    }
}
