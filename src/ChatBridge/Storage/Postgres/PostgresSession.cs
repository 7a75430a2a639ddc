using ChatBridge.Data;
using Npgsql;
using NpgsqlTypes;

namespace ChatBridge.Storage.Postgres;

/// <summary>
/// Statements on one pooled PostgreSQL connection. Each is a new command: Npgsql prepares the ones used again and again
/// by itself (see <see cref="PostgresDataSource"/>), so they run as prepared statements like SQLite's kept ones.
/// </summary>
internal sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct) : ISqlSession
{
    public async Task<int> ExecuteAsync(string sql, params SqlParam[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<T?> ScalarAsync<T>(string sql, params SqlParam[] parameters)
    {
        await using var command = Command(sql, parameters);
        return SqlValues.Convert<T>(await command.ExecuteScalarAsync(ct));
    }

    public async Task<List<T>> QueryAsync<T>(string sql, params SqlParam[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var rows = await command.ExecuteReaderAsync(ct);
        return await RowReader.ReadAllAsync<T>(rows, ct);
    }

    public async Task<T?> FirstOrDefaultAsync<T>(string sql, params SqlParam[] parameters) =>
        (await QueryAsync<T>(sql, parameters)).FirstOrDefault();

    private NpgsqlCommand Command(string sql, SqlParam[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }
        return command;
    }

    /// <summary>A store's parameter as PostgreSQL takes it, in a command or in a batch.</summary>
    public static NpgsqlParameter Parameter(SqlParam parameter) => parameter.Value switch
    {
        // timestamptz takes only UTC instants; a point in time is always one.
        DateTimeOffset time => new NpgsqlParameter(parameter.Name, NpgsqlDbType.TimestampTz) { Value = time.ToUniversalTime() },
        ControlAppTime time => new NpgsqlParameter(parameter.Name, NpgsqlDbType.Timestamp) { Value = time.UtcWithoutZone },
        null => new NpgsqlParameter(parameter.Name, TypeOf(parameter.Type)) { Value = DBNull.Value },
        var value => new NpgsqlParameter(parameter.Name, value),
    };

    /// <summary>A NULL still needs a type: <c>@since IS NULL</c> alone does not tell PostgreSQL which.</summary>
    private static NpgsqlDbType TypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(DateTimeOffset) => NpgsqlDbType.TimestampTz,
        var t when t == typeof(ControlAppTime) => NpgsqlDbType.Timestamp,
        var t when t == typeof(long) => NpgsqlDbType.Bigint,
        var t when t == typeof(int) => NpgsqlDbType.Integer,
        var t when t == typeof(bool) => NpgsqlDbType.Boolean,
        var t when t == typeof(double) => NpgsqlDbType.Double,
        var t when t == typeof(byte[]) => NpgsqlDbType.Bytea,
        _ => NpgsqlDbType.Text,
    };
}
