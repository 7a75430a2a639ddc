using System.Data;
using System.Globalization;
using ChatBridge.Http;
using Dapper;

namespace ChatBridge.Storage;

/// <summary>
/// Values as they come out of either engine, in the types the stores ask for. SQLite keeps a point in time as text (the
/// contract's <c>…T…Z</c>, or <c>YYYY-MM-DD HH:MM:SS</c> from the control app's writers), PostgreSQL as
/// <c>timestamptz</c>; both come back as a <see cref="DateTimeOffset"/> in UTC.
/// </summary>
internal static class SqlValues
{
    /// <summary>Dapper's mapping of rows: snake_case columns to PascalCase properties, and points in time from either engine.</summary>
    public static void ConfigureDapper()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Dapper maps DateTimeOffset itself unless its own entry is removed first; the handler then reads both engines' forms.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new PointInTimeHandler());
    }

    public static T? Convert<T>(object? value)
    {
        if (value is null or DBNull)
        {
            return default;
        }
        var target = Target<T>.Type;
        if (target == typeof(DateTimeOffset))
        {
            return (T)(object)ToPointInTime(value);
        }
        if (value is T typed)
        {
            return typed;
        }
        return (T)System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <summary><typeparamref name="T"/> without its <c>?</c>, found once per type: every scalar the writer reads asks for it.</summary>
    private static class Target<T>
    {
        public static readonly Type Type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
    }

    public static DateTimeOffset ToPointInTime(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        string text when Timestamps.TryParse(text, out var parsed) => parsed,
        _ => throw new FormatException($"Not a point in time: '{value}'."),
    };

    private sealed class PointInTimeHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => ToPointInTime(value);

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) =>
            throw new NotSupportedException("Stores bind points in time through ISqlSession, which knows the engine's form.");
    }
}
