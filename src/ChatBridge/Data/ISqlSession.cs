namespace ChatBridge.Data;

/// <summary>
/// One connection, inside a read or a write, with its parameters bound by name (<c>@name</c> in the SQL). A value of
/// <see cref="DateTimeOffset"/> is a point in time: each engine stores it its own way (SQLite as the contract's
/// <c>…T…Z</c> text, PostgreSQL as <c>timestamptz</c>) and reads it back as <see cref="DateTimeOffset"/> in UTC.
/// </summary>
internal interface ISqlSession
{
    Task<int> ExecuteAsync(string sql, params SqlParam[] parameters);

    /// <summary>The first column of the first row, or <c>default</c> when there is none (or it is NULL).</summary>
    Task<T?> ScalarAsync<T>(string sql, params SqlParam[] parameters);

    /// <summary>Every row, each filled by column name (snake_case to PascalCase) or, for one column, as that value.</summary>
    Task<List<T>> QueryAsync<T>(string sql, params SqlParam[] parameters);

    Task<T?> FirstOrDefaultAsync<T>(string sql, params SqlParam[] parameters);
}

/// <summary>A named parameter with its declared type, so that a NULL still tells the engine what it is.</summary>
internal readonly record struct SqlParam(string Name, object? Value, Type Type)
{
    public static SqlParam P<T>(string name, T value) => new(name, value, typeof(T));
}
