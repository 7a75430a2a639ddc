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

    /// <summary>
    /// A write as the control app makes it, with foreign keys off (its connections never switch them on): a delete leaves
    /// rows that point at the deleted one. PostgreSQL is told to skip its foreign-key triggers for the statement.
    /// </summary>
    public static void ExecuteWithoutForeignKeys(this BridgeApp app, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = app.OpenDatabase();
        using var command = Command(db, db is Npgsql.NpgsqlConnection ? "SET session_replication_role = replica; " + sql : "PRAGMA foreign_keys = OFF; " + sql, parameters);
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
            // A point in time is stored as each engine keeps it: timestamptz on PostgreSQL, the contract's text on SQLite.
            parameter.Value = value switch
            {
                null => DBNull.Value,
                DateTimeOffset time when !postgres => Stamp(time),
                DateTimeOffset time => time.ToUniversalTime(),
                _ => value,
            };
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// PostgreSQL answers with the column's own type (int, bool, a point in time); tests compare what SQLite gives: a
    /// long, or the stored text of a point in time; NULL is null.
    /// </summary>
    private static object? Normalise(object? value) => value switch
    {
        DBNull => null,
        int number => (long)number,
        short number => (long)number,
        bool flag => flag ? 1L : 0L,
        DateTime time => Stamp(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))),
        _ => value,
    };

    /// <summary>A point in time in the contract's text form, as SQLite stores it and every answer shows it.</summary>
    public static string Stamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex DollarParameter();

    /// <summary>Makes a session look idle since <paramref name="ago"/>.</summary>
    public static void Age(this BridgeApp app, string sessionId, TimeSpan ago) =>
        app.Execute(
            "UPDATE web_chat_sessions SET last_active = $t WHERE session_id = $s",
            ("$t", app.Clock.GetUtcNow() - ago),
            ("$s", sessionId));

    /// <summary>
    /// An agent as the control app adds one: a Letta id of its own, active unless told otherwise, its health as
    /// <paramref name="status"/>, and visibility lists as JSON text (null: not restricted).
    /// </summary>
    public static long AddAgent(
        this BridgeApp app, string name, string status = "Healthy", bool active = true, string? visibleToUsers = null, string? visibleToRoles = null)
    {
        app.Execute(
            "INSERT INTO agents (name, letta_uid, description, status, is_active, visible_to_users, visible_to_roles) VALUES ($n, $l, $d, $s, $a, $u, $r)",
            ("$n", name), ("$l", $"agent-{Guid.NewGuid()}"), ("$d", $"{name} helps"), ("$s", status), ("$a", active),
            ("$u", visibleToUsers), ("$r", visibleToRoles));
        return (long)app.Scalar("SELECT MAX(id) FROM agents WHERE name = $n", ("$n", name))!;
    }

    public static long Count(this BridgeApp app, string table) =>
        (long)app.Scalar($"SELECT COUNT(*) FROM {table}")!;
}
