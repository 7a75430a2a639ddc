using System.Diagnostics;

namespace ChatBridge.Bench;

/// <summary>CPU used by the host and by this load generator over a stretch of wall time: both share the same cores.</summary>
internal sealed class CpuWindow
{
    private readonly IMeasuredHost _host;
    private readonly TimeSpan _hostStart;
    private readonly TimeSpan _benchStart;
    private readonly long _wallStart;

    private CpuWindow(IMeasuredHost host)
    {
        _host = host;
        _hostStart = host.CpuTime();
        _benchStart = Process.GetCurrentProcess().TotalProcessorTime;
        _wallStart = Stopwatch.GetTimestamp();
    }

    public static CpuWindow Start(IMeasuredHost host) => new(host);

    public CpuUse Stop() =>
        new(_host.CpuTime() - _hostStart, Process.GetCurrentProcess().TotalProcessorTime - _benchStart, Stopwatch.GetElapsedTime(_wallStart));
}

internal sealed record CpuUse(TimeSpan HostCpu, TimeSpan BenchCpu, TimeSpan Wall);
