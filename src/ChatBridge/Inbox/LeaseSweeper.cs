using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Inbox;

/// <summary>
/// Returns lapsed claims to the inbox. It looks a tenth of the lease apart (between 50 ms and 5 s), so a message comes
/// back at most that long after its lease ends; an idle look is one indexed read and never takes the writer.
/// </summary>
internal sealed partial class LeaseSweeper(InboxDelivery delivery, TimeProvider time, IOptions<ChatBridgeOptions> options, ILogger<LeaseSweeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(options.Value.Inbox.ClaimTimeout.Ticks / 10, MinInterval.Ticks, MaxInterval.Ticks));
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await delivery.ExpireLeasesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A busy or failing database is retried on the next tick; the leases wait in the database meanwhile.
                LogSweepFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Returning lapsed inbox claims failed; retrying on the next tick")]
    private partial void LogSweepFailed(Exception error);
}
