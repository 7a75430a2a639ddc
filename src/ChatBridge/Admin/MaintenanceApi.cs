using ChatBridge.Access;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Admin;

/// <summary>Clean-up on the admin's word: idle sessions, all chat data, expired log files.</summary>
internal static class MaintenanceApi
{
    public static RouteGroupBuilder MapMaintenanceApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapPost("/cleanup", DeleteIdleSessions)
            .WithName("cleanup")
            .WithSummary("Delete idle sessions (admin)")
            .WithDescription("Deletes sessions idle longer than `session_timeout` with their messages and responses, but never a session "
                + "holding a message Broca has not picked up yet.")
            .WithExamples(data: new CleanupReport(3, "Cleaned up 3 inactive sessions"));

        admin.MapPost("/clear_data", ClearData)
            .WithName("clear_data")
            .WithSummary("Delete all chat data (admin)")
            .WithDescription("Deletes every chat session, message, response and rate-limit count. Users, agents and settings are kept.")
            .WithExamples(data: new ClearReport("All chat data cleared", new RemainingData(0, 0, 0)));

        admin.MapPost("/cleanup_logs", DeleteExpiredLogs)
            .WithName("cleanup_logs")
            .WithSummary("Delete expired log files (admin)")
            .WithDescription("Deletes rolled log files older than `ChatBridge:LogRetentionDays` (the current file is kept) and reports the real sizes on disk.")
            .WithExamples(data: new LogCleanupReport("Deleted 2 expired log files", 0.42, 5, 12.7, 7, 10));

        return api;
    }

    private static async Task<Ok<Envelope<CleanupReport>>> DeleteIdleSessions(
        IAdminStore sessions, SettingsStore settings, TimeProvider time, CancellationToken ct)
    {
        var idleBefore = time.GetUtcNow().AddSeconds(-(await settings.GetAsync(ct)).SessionTimeoutSeconds);
        var cleaned = await sessions.DeleteIdleSessionsAsync(idleBefore, ct);
        return Envelope.Ok(new CleanupReport(cleaned, $"Cleaned up {cleaned} inactive sessions"));
    }

    private static async Task<Ok<Envelope<ClearReport>>> ClearData(
        HttpContext http, IAdminStore sessions, RateLimitGeneration limits, ILogger<ClearReport> logger, CancellationToken ct)
    {
        var remaining = await sessions.DeleteAllChatDataAsync(ct);
        limits.Reset();
        logger.LogWarning("All chat data cleared by an admin from {Client}", ClientAddress.Of(http));
        return Envelope.Ok(new ClearReport("All chat data cleared", remaining));
    }

    private static Ok<Envelope<LogCleanupReport>> DeleteExpiredLogs(LogFiles logs) => Envelope.Ok(logs.DeleteExpired());
}

internal sealed record CleanupReport(int CleanedCount, string Message);

internal sealed record ClearReport(string Message, RemainingData RemainingData);
