namespace ChatBridge.Tests;

/// <summary>
/// A fact about SQLite's own write path (the single writer and its syncer, the file's locks): skipped, with the reason,
/// when the suite runs on PostgreSQL, where commits are durable as they return and there is no file to lock.
/// </summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (BridgeApp.OnPostgres)
        {
            Skip = "About SQLite's write path; the suite runs on PostgreSQL (CHATBRIDGE_TEST_PROVIDER=Postgres)";
        }
    }
}
