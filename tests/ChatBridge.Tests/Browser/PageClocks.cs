using Microsoft.Playwright;

namespace ChatBridge.Tests.Browser;

internal static class PageClocks
{
    /// <summary>
    /// Stops an installed page clock a second from now: its timers move only when the test moves them. Playwright pauses
    /// only at a time still to come, and a page that hears of a target late (a busy machine) has already passed it; the
    /// target is then set again from a later now.
    /// </summary>
    public static async Task PauseSoonAsync(this IClock clock)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await clock.PauseAtAsync(DateTime.Now.AddSeconds(1));
                return;
            }
            catch (PlaywrightException e) when (attempt < 5 && e.Message.Contains("Cannot fast-forward to the past", StringComparison.Ordinal))
            {
            }
        }
    }
}
