using ChatBridge.Data;

namespace ChatBridge.Storage.Postgres;

/// <summary>PostgreSQL's failures as the error handler answers them: a server out of reach is retried shortly.</summary>
internal sealed class PostgresFaults : IStorageFaults
{
    public StorageFaultKind? Classify(Exception error) =>
        PostgresDataSource.IsUnavailable(error) ? StorageFaultKind.Unavailable : null;
}
