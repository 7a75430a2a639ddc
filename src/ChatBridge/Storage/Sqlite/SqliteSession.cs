using ChatBridge.Data;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Storage.Sqlite;

/// <summary>
/// Statements on one SQLite connection, each from the connection's kept commands: Microsoft.Data.Sqlite compiles a
/// statement again for every new command, which on the hot paths cost more than running it.
/// </summary>
internal sealed class SqliteSession(KeptStatements statements, SqliteTransaction? transaction, CancellationToken ct) : ISqlSession
{
    /// <summary>The connection and transaction underneath, for the writer's own tests.</summary>
    public SqliteConnection Connection => statements.Connection;

    public SqliteTransaction? Transaction => transaction;

    public Task<int> ExecuteAsync(string sql, params SqlParam[] parameters) =>
        statements.Get(sql, transaction, parameters).ExecuteNonQueryAsync(ct);

    public async Task<T?> ScalarAsync<T>(string sql, params SqlParam[] parameters) =>
        SqlValues.Convert<T>(await statements.Get(sql, transaction, parameters).ExecuteScalarAsync(ct));

    public async Task<List<T>> QueryAsync<T>(string sql, params SqlParam[] parameters)
    {
        await using var rows = await statements.Get(sql, transaction, parameters).ExecuteReaderAsync(ct);
        return await RowReader.ReadAllAsync<T>(rows, ct);
    }

    public async Task<T?> FirstOrDefaultAsync<T>(string sql, params SqlParam[] parameters) =>
        (await QueryAsync<T>(sql, parameters)).FirstOrDefault();
}
