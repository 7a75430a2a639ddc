namespace ChatBridge.Bench;

/// <summary>
/// What each provider must reach on this machine. PostgreSQL's are lower: every request crosses a socket to another
/// process that shares the same two cores, where SQLite runs in the host's own.
/// </summary>
/// <param name="RoundTripP99Ms">w3's bridge's share; null for none.</param>
/// <param name="CrossInstancePushP99Ms">w3's push when the reply is posted on another instance than the socket's.</param>
internal sealed record Targets(
    double PollsPerSecond, double PollP99Ms, double PostsPerSecond, double PostP99Ms, double? RoundTripP99Ms, double CrossInstancePushP99Ms)
{
    public static readonly Targets Sqlite = new(10_000, 20, 5_000, 20, 10, 50);

    /// <summary>Issue 10's, for one instance; several instances are held to the same.</summary>
    public static readonly Targets Postgres = new(5_000, 30, 2_000, 30, null, 50);
}
