namespace ChatBridge.Tests.Browser.Widget;

/// <summary>
/// The bridge with one site allowed to embed its widget, that site, and a site not allowed. The allowed site is
/// named <c>localhost</c> and the bridge <c>127.0.0.1</c>: another site, not only another origin, so the panel is a
/// third-party frame as on the web.
/// </summary>
public sealed class WidgetSites : IAsyncLifetime
{
    private BridgeApp? _bridge;
    private HostSite? _site;
    private HostSite? _stranger;

    public BridgeApp Bridge => _bridge ?? throw new InvalidOperationException("Not started.");

    public Uri BridgeUrl { get; private set; } = null!;

    public HostSite Site => _site ?? throw new InvalidOperationException("Not started.");

    public HostSite Stranger => _stranger ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _site = await HostSite.StartAsync("localhost");
        _stranger = await HostSite.StartAsync("127.0.0.1");
        _bridge = new BridgeApp { Settings = { ["ChatBridge:Widget:AllowedOrigins:0"] = _site.Origin } };
        BridgeUrl = _bridge.ServeOnLoopback();
    }

    public async Task DisposeAsync()
    {
        _bridge?.Dispose();
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
        if (_stranger is not null)
        {
            await _stranger.DisposeAsync();
        }
    }
}
