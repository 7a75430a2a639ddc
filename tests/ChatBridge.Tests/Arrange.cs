using System.Data.Common;
using System.Text.RegularExpressions;

namespace ChatBridge.Tests;

/// <summary>
/// Direct writes for arranging states the API cannot reach quickly, such as an hour-old session, on either provider.
/// Parameters may be written <c>$name</c> (SQLite's form) or <c>@name</c>; PostgreSQL gets <c>@name</c>.
/// </summary>
public static partial class Arrange
{
    public static void Execute(this BridgeApp app, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = app.OpenDatabase();
        using var command = Command(db, sql, parameters);
        command.ExecuteNonQuery();
    }

    public static object? Scalar(this BridgeApp app, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = app.OpenDatabase();
        using var command = Command(db, sql, parameters);
        return Normalise(command.ExecuteScalar());
    }

    private static DbCommand Command(DbConnection db, string sql, (string Name, object? Value)[] parameters)
    {
        var postgres = db is Npgsql.NpgsqlConnection;
        var command = db.CreateCommand();
        command.CommandText = postgres ? DollarParameter().Replace(sql, "@$1") : sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = postgres && name.StartsWith('$') ? "@" + name[1..] : name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>PostgreSQL answers with the column's own type (int, bool); tests compare what SQLite gives, a long.</summary>
    private static object? Normalise(object? value) => value switch
    {
        int number => (long)number,
        short number => (long)number,
        bool flag => flag ? 1L : 0L,
        _ => value,
    };

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex DollarParameter();

    /// <summary>Makes a session look idle since <paramref name="ago"/>.</summary>
    public static void Age(this BridgeApp app, string sessionId, TimeSpan ago) =>
        app.Execute(
            "UPDATE web_chat_sessions SET last_active = $t WHERE session_id = $s",
            ("$t", (DateTimeOffset.UtcNow - ago).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            ("$s", sessionId));

    public static long AddAgent(this BridgeApp app, string name, string status = "active")
    {
        app.Execute("INSERT INTO agents (name, description, status) VALUES ($n, $d, $s)", ("$n", name), ("$d", $"{name} helps"), ("$s", status));
        return (long)app.Scalar("SELECT id FROM agents WHERE name = $n", ("$n", name))!;
    }

    public static long Count(this BridgeApp app, string table) =>
        (long)app.Scalar($"SELECT COUNT(*) FROM {table}")!;
}
