using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests;

/// <summary>
/// Waiting for something the host does asynchronously: the condition is checked often, with a deadline generous enough
/// for a machine whose cores are all busy. Nothing here waits a fixed time or bounds how fast the host must be.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds, failing the test if it does not within <paramref name="patience"/>; returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan patience, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < patience, $"{what}: not within {patience.TotalSeconds} s");
            await Task.Delay(Poll);
        }
        return clock.Elapsed;
    }

    public static Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan patience, string what) =>
        UntilAsync(() => Task.FromResult(condition()), patience, what);

    public static Task UntilAsync(Func<Task<bool>> condition, string what) => UntilAsync(condition, Patience, what);

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(condition, Patience, what);

    /// <summary>
    /// Moves <paramref name="time"/> on by <paramref name="step"/> until <paramref name="condition"/> holds. Steps, not one
    /// jump: a background service makes its timer when it gets a thread, which may be after the test moved the clock.
    /// </summary>
    public static Task AdvanceUntilAsync(this FakeTimeProvider time, TimeSpan step, Func<Task<bool>> condition, string what) =>
        UntilAsync(async () =>
        {
            if (await condition())
            {
                return true;
            }
            time.Advance(step);
            return false;
        }, what);

    public static Task AdvanceUntilAsync(this FakeTimeProvider time, TimeSpan step, Func<bool> condition, string what) =>
        time.AdvanceUntilAsync(step, () => Task.FromResult(condition()), what);
}
