using ChatBridge.Configuration;

namespace ChatBridge.Inbox;

/// <summary>
/// When a stuck message (one with <see cref="InboxOptions.MaxDeliveries"/> strikes or more) may be handed out again:
/// one lease after its last strike, doubling with every strike past the limit, never more than
/// <see cref="InboxOptions.MaxBackoff"/>. A message that keeps failing a working Broca then costs it a hand-out an hour
/// at most, and is still never given up.
/// </summary>
internal static class StuckBackoff
{
    /// <summary>The wait after a lapse that left the message with <paramref name="strikes"/> strikes; null while it is not stuck.</summary>
    public static TimeSpan? After(int strikes, InboxOptions options)
    {
        if (strikes < options.MaxDeliveries)
        {
            return null;
        }
        var doublings = strikes - options.MaxDeliveries;
        // Compared against the cap halved instead of doubling the lease, so that no number of strikes overflows.
        return doublings >= 62 || options.ClaimTimeout.Ticks > options.MaxBackoff.Ticks >> doublings
            ? options.MaxBackoff
            : TimeSpan.FromTicks(options.ClaimTimeout.Ticks << doublings);
    }
}
