using ChatBridge.Hosting;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class CleanupLogsHandler(LogFiles logs) : IActionHandler
{
    public string Action => "cleanup_logs";

    public ActionMethods Methods => ActionMethods.Post;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "Delete expired log files (admin)",
        "Deletes rolled log files older than `ChatBridge:LogRetentionDays` (the current file is kept) and reports the real sizes on disk.")
    {
        DataExample = """{"message": "Deleted 2 expired log files", "current_log_size_mb": 0.42, "backup_files_count": 5, "total_log_size_mb": 12.7, "retention_days": 7, "max_size_mb": 10}""",
    };

    public Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct) =>
        Task.FromResult(Envelope.Ok(logs.DeleteExpired()));
}
