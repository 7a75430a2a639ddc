using ChatBridge.Data;
using ChatBridge.Storage.Sqlite;

namespace ChatBridge.Tests.Data;

/// <summary>
/// Runs synchronous work on the single writer's connection, as the writer's own tests need: to hold the writer (a
/// blocking wait), or to reach the connection and transaction beneath the stores' seam.
/// </summary>
internal static class WriteQueueRuns
{
    public static async Task<T> RunAsync<T>(this WriteQueue writes, Func<SqliteSession, T> write, CancellationToken ct, Durability durability = Durability.Synced)
    {
        var written = await writes.WriteAsync(session => Task.FromResult(write((SqliteSession)session)), durability, ct);
        await written.Durable;
        return written.Value;
    }
}
