namespace ChatBridge.Bench;

/// <summary>What the benchmark measures of the host side: one host process, or all the instances of a run together.</summary>
internal interface IMeasuredHost
{
    /// <summary>User + system CPU time used so far.</summary>
    TimeSpan CpuTime();

    /// <summary>Peak (VmHWM) and current (VmRSS) resident memory, in MiB.</summary>
    (double PeakMb, double CurrentMb) Memory();
}
