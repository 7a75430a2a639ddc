namespace ChatBridge.Tests;

/// <summary>Direct writes for arranging states the API cannot reach quickly, such as an hour-old session.</summary>
public static class Arrange
{
    public static void Execute(this BridgeApp app, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = app.OpenDatabase();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }

    public static object? Scalar(this BridgeApp app, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = app.OpenDatabase();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command.ExecuteScalar();
    }

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
