using System.Data.Common;
using Dapper;

namespace ChatBridge.Storage;

/// <summary>Turns a data reader's rows into the types the stores ask for, the same way for both engines.</summary>
internal static class RowReader
{
    public static async Task<List<T>> ReadAllAsync<T>(DbDataReader reader, CancellationToken ct)
    {
        List<T> rows = [];
        if (IsValue(typeof(T)))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add(SqlValues.Convert<T>(reader.GetValue(0))!);
            }
            return rows;
        }
        var parse = reader.GetRowParser<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(parse(reader));
        }
        return rows;
    }

    /// <summary>A type read from one column (a number, a text, a point in time) rather than filled by column names.</summary>
    private static bool IsValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(DateTimeOffset) || underlying == typeof(byte[]);
    }
}
