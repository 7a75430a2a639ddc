using ChatBridge.Data;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// What a statement read or write sees: its one statement goes to the server with the next batch
/// (<see cref="StatementBatches"/>). The statement returns rows (a SELECT, or RETURNING), which is how a batch tells its
/// statements' answers apart. A second statement would go in another batch, apart from the first (for a write, another
/// commit), so it is refused rather than run.
/// </summary>
internal sealed class BatchedStatementSession(StatementBatches batches) : ISqlSession
{
    private bool _sent;

    public Task<int> ExecuteAsync(string sql, params SqlParam[] parameters) =>
        throw new NotSupportedException("A batched statement returns rows: say RETURNING and read them.");

    public async Task<T?> ScalarAsync<T>(string sql, params SqlParam[] parameters) =>
        (await QueryAsync<T>(sql, parameters)).FirstOrDefault();

    public Task<List<T>> QueryAsync<T>(string sql, params SqlParam[] parameters)
    {
        if (_sent)
        {
            throw new InvalidOperationException("A batched read or write runs one statement: a second would go apart from the first.");
        }
        _sent = true;
        return batches.QueryAsync<T>(sql, parameters);
    }

    public async Task<T?> FirstOrDefaultAsync<T>(string sql, params SqlParam[] parameters) =>
        (await QueryAsync<T>(sql, parameters)).FirstOrDefault();
}
