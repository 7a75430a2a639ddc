using System.Runtime.InteropServices;

namespace ChatBridge.Bench;

/// <summary>
/// What a run leaves behind if it is stopped before its own <c>await using</c> gets to it: host processes, their temp
/// folders, PostgreSQL databases. A soak runs half an hour, so Ctrl+C (or a SIGTERM from a script's timeout) is a
/// usual way to end one, and hosts left running would load the machine and skew the next run. On either signal every
/// thing still held is ended, newest first (hosts before the database they use), and the benchmark then exits.
/// </summary>
internal static class Leftovers
{
    private static readonly List<IAsyncDisposable> Held = [];

    /// <summary>SIGINT's and SIGTERM's handlers, from the first thing held on; kept here so they stay registered.</summary>
    private static PosixSignalRegistration[]? _signals;

    public static void Hold(IAsyncDisposable thing)
    {
        lock (Held)
        {
            _signals ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => EndAll()),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => EndAll()),
            ];
            Held.Add(thing);
        }
    }

    /// <summary>Called by <paramref name="thing"/> as it ends itself: nothing is left to end on a signal.</summary>
    public static void Release(IAsyncDisposable thing)
    {
        lock (Held)
        {
            Held.Remove(thing);
        }
    }

    private static void EndAll()
    {
        List<IAsyncDisposable> held;
        lock (Held)
        {
            held = [.. Enumerable.Reverse(Held)];
        }
        Console.Error.WriteLine($"Interrupted: ending {held.Count} host(s) and database(s) this run started.");
        foreach (var thing in held)
        {
            try
            {
                // The signal's own thread, which nothing else waits on: blocking here only delays the exit.
                thing.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Npgsql.NpgsqlException)
            {
                Console.Error.WriteLine($"  could not end one: {e.Message}");
            }
        }
    }
}
