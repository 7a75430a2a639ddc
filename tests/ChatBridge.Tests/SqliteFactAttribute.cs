namespace ChatBridge.Tests;

/// <summary>
/// A fact about SQLite itself (the single writer and its syncer, the file and its locks): skipped, with the reason,
/// when the suite runs on PostgreSQL, where commits are durable as they return and there is no file to lock or break;
/// PostgreSQL's own outages are <c>Postgres/OutageTests</c>.
/// </summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (BridgeApp.OnPostgres)
        {
            Skip = "About SQLite itself; the suite runs on PostgreSQL (CHATBRIDGE_TEST_PROVIDER=Postgres)";
        }
    }
}
