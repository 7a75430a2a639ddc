using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Announces the chat rows another program wrote into the same file (the control app's chat routes), which the bridge's
/// own writes never announce: waiting inbox long polls and a session's open pages hear of them within a second. The
/// triggers of <see cref="ControlAppTables"/> note such rows in <c>chatbridge_changes</c>; this reads the notes (a read
/// of an empty index while nothing happens) and deletes those it announced.
/// </summary>
internal sealed partial class OtherWriters(IDatabase db, IReplyStore replies, IRealtimeBus bus, TimeProvider time, ILogger<OtherWriters> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await AnnounceAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The notes stay in the table: the next tick announces them.
                LogAnnounceFailed(e);
            }
        }
    }

    /// <returns>How many notes were handled.</returns>
    private async Task<int> AnnounceAsync(CancellationToken ct)
    {
        var changes = await db.ReadAsync(sql => sql.QueryAsync<Change>("""
            SELECT c.seq, c.kind, c.row_id, m.session_id AS message_session
            FROM chatbridge_changes c LEFT JOIN web_chat_messages m ON c.kind = 'message' AND m.id = c.row_id
            ORDER BY c.seq LIMIT @batch
            """, P("@batch", Batch)), ct);
        if (changes.Count == 0)
        {
            return 0;
        }
        foreach (var change in changes)
        {
            if (change.Kind == "message" && change.MessageSession is { } sessionId)
            {
                bus.Publish(new MessageStoredEvent(sessionId, change.RowId));
            }
            else if (change.Kind == "response" && await replies.GetResponseAsync(change.RowId, ct) is var (session, response))
            {
                bus.Publish(new ReplyEvent(session, response));
            }
        }
        await db.RunAsync(sql => sql.ExecuteAsync("DELETE FROM chatbridge_changes WHERE seq <= @last", P("@last", changes[^1].Seq)), ct, Durability.Committed);
        return changes.Count;
    }

    private sealed record Change
    {
        public long Seq { get; init; }
        public string Kind { get; init; } = "";
        public long RowId { get; init; }
        public string? MessageSession { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing chat rows another program wrote failed; retrying shortly")]
    private partial void LogAnnounceFailed(Exception error);
}
