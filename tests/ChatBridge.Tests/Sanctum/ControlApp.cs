using Microsoft.Data.Sqlite;

namespace ChatBridge.Tests.Sanctum;

/// <summary>
/// Sanctum's control app (Flask + SQLAlchemy) as it works on the shared SQLite file: its models' DDL, made only for
/// tables that are missing (SQLAlchemy's <c>create_all</c>), and its own statements, on connections of its own with
/// Python's 5-second lock wait and foreign keys off. Times are what its ORM writes (<c>datetime.utcnow()</c>) or what
/// its plain SQL writes (<c>datetime('now')</c>).
/// </summary>
public sealed class ControlApp(string databasePath)
{
    /// <summary>Its models' tables as SQLAlchemy 2 creates them on SQLite: defaults are the ORM's, not the table's.</summary>
    private static readonly (string Table, string Ddl)[] Models =
    [
        ("users", """
            CREATE TABLE users (
            	id INTEGER NOT NULL, 
            	username VARCHAR(50) NOT NULL, 
            	email VARCHAR(100) NOT NULL, 
            	password_hash VARCHAR(255) NOT NULL, 
            	role VARCHAR(20), 
            	permissions TEXT, 
            	is_active BOOLEAN, 
            	failed_login_attempts INTEGER, 
            	last_login DATETIME, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	PRIMARY KEY (id), 
            	UNIQUE (username), 
            	UNIQUE (email)
            )
            """),
        ("user_sessions", """
            CREATE TABLE user_sessions (
            	id VARCHAR(100) NOT NULL, 
            	user_id INTEGER NOT NULL, 
            	session_token VARCHAR(255) NOT NULL, 
            	expires_at DATETIME NOT NULL, 
            	ip_address VARCHAR(45), 
            	user_agent TEXT, 
            	created_at DATETIME, 
            	PRIMARY KEY (id), 
            	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
            	UNIQUE (session_token)
            )
            """),
        ("agents", """
            CREATE TABLE agents (
            	id INTEGER NOT NULL, 
            	name VARCHAR(100) NOT NULL, 
            	letta_uid VARCHAR(100) NOT NULL, 
            	description TEXT, 
            	status VARCHAR(50), 
            	created_by INTEGER, 
            	config TEXT, 
            	is_active BOOLEAN, 
            	visible_to_users TEXT, 
            	visible_to_roles TEXT, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	PRIMARY KEY (id), 
            	UNIQUE (letta_uid)
            )
            """),
        ("system_config", """
            CREATE TABLE system_config (
            	id INTEGER NOT NULL, 
            	config_key VARCHAR(100) NOT NULL, 
            	config_value TEXT NOT NULL, 
            	description TEXT, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	PRIMARY KEY (id), 
            	UNIQUE (config_key)
            )
            """),
        ("schema_version", """
            CREATE TABLE schema_version (
            	version INTEGER NOT NULL, 
            	applied_at DATETIME, 
            	description TEXT, 
            	PRIMARY KEY (version)
            )
            """),
    ];

    public static readonly string[] Tables = [.. Models.Select(m => m.Table)];

    /// <summary><c>db.create_all()</c>, then its first start's rows: its schema history and, in an empty config, its seeds.</summary>
    public void Start()
    {
        using var db = Open();
        foreach (var (table, ddl) in Models)
        {
            if (Scalar(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $t", ("$t", table)) is 0L)
            {
                Execute(db, ddl);
            }
        }
        Execute(db, "INSERT OR IGNORE INTO schema_version (version, applied_at, description) VALUES (1, $t, 'initial schema')", ("$t", OrmNow()));
        if (Scalar(db, "SELECT COUNT(*) FROM system_config") is 0L)
        {
            foreach (var (key, value) in new[] { ("api_key", "ObeyG1ant"), ("admin_key", "FreeUkra1ne"), ("flask_port", "5000"), ("smcp_port", "8000") })
            {
                Execute(db, "INSERT INTO system_config (config_key, config_value, created_at, updated_at) VALUES ($k, $v, $t, $t)", ("$k", key), ("$v", value), ("$t", OrmNow()));
            }
        }
    }

    /// <summary>Its user form: every column written by the ORM, the password as <c>bcrypt.hashpw</c> makes it.</summary>
    public long AddUser(string username, string role = "user")
    {
        using var db = Open();
        Execute(db, """
            INSERT INTO users (username, email, password_hash, role, permissions, is_active, failed_login_attempts, last_login, created_at, updated_at)
            VALUES ($u, $e, $h, $r, '[]', 1, 0, NULL, $t, $t)
            """, ("$u", username), ("$e", $"{username}@example.org"), ("$h", SanctumAccounts.ControlAppHash.Value), ("$r", role), ("$t", OrmNow()));
        return (long)Scalar(db, "SELECT id FROM users WHERE username = $u", ("$u", username))!;
    }

    /// <summary>
    /// Its login: the user by name, the bcrypt check, the counters, then a <c>user_sessions</c> row. Returns its message
    /// on refusal, as its login page shows it, or null once signed in.
    /// </summary>
    public string? LogIn(string username, string password)
    {
        using var db = Open();
        using var read = db.CreateCommand();
        read.CommandText = "SELECT id, password_hash, is_active FROM users WHERE username = $u";
        read.Parameters.AddWithValue("$u", username);
        using var row = read.ExecuteReader();
        if (!row.Read())
        {
            return "Invalid username or password";
        }
        var (id, hash, active) = (row.GetInt64(0), row.GetString(1), row.GetBoolean(2));
        row.Close();
        if (!BCrypt.Net.BCrypt.Verify(password, hash))
        {
            Execute(db, "UPDATE users SET failed_login_attempts = failed_login_attempts + 1, updated_at = $t WHERE id = $id", ("$id", id), ("$t", OrmNow()));
            return "Invalid username or password";
        }
        if (!active)
        {
            return "Account is deactivated";
        }
        Execute(db, "UPDATE users SET failed_login_attempts = 0, last_login = $t, updated_at = $t WHERE id = $id", ("$id", id), ("$t", OrmNow()));
        Execute(db, """
            INSERT INTO user_sessions (id, user_id, session_token, expires_at, ip_address, user_agent, created_at)
            VALUES ($s, $id, $k, $x, '127.0.0.1', 'Mozilla/5.0', $t)
            """, ("$s", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")), ("$id", id), ("$k", Guid.NewGuid().ToString("N")),
            ("$x", OrmTime(DateTime.UtcNow.AddHours(24))), ("$t", OrmNow()));
        return null;
    }

    /// <summary>Its agent form, with the Letta id it requires.</summary>
    public long AddAgent(string name, string status = "active", bool active = true)
    {
        using var db = Open();
        Execute(db, """
            INSERT INTO agents (name, letta_uid, description, status, created_by, config, is_active, visible_to_users, visible_to_roles, created_at, updated_at)
            VALUES ($n, $l, 'added in the control app', $s, NULL, '{}', $a, NULL, NULL, $t, $t)
            """, ("$n", name), ("$l", $"agent-{Guid.NewGuid()}"), ("$s", status), ("$a", active), ("$t", OrmNow()));
        return (long)Scalar(db, "SELECT MAX(id) FROM agents WHERE name = $n", ("$n", name))!;
    }

    /// <summary>Its settings API: any value, no check.</summary>
    public void SetConfig(string key, string value)
    {
        using var db = Open();
        Execute(db, "INSERT OR REPLACE INTO system_config (config_key, config_value, created_at, updated_at) VALUES ($k, $v, datetime('now'), datetime('now'))",
            ("$k", key), ("$v", value));
    }

    /// <summary>Its settings page, which reads every column of every row.</summary>
    public List<(string Key, string Value, string? CreatedAt)> ReadConfig()
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT config_key, config_value, description, created_at, updated_at FROM system_config ORDER BY config_key";
        using var reader = command.ExecuteReader();
        List<(string, string, string?)> rows = [];
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return rows;
    }

    /// <summary>
    /// <c>models.get_current_schema_version()</c>: the newest row, its time parsed as SQLAlchemy's DateTime does
    /// (<c>YYYY-MM-DD HH:MM:SS[.ffffff]</c>, anything else raises).
    /// </summary>
    public (long Version, DateTime AppliedAt) CurrentSchemaVersion()
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT version, applied_at FROM schema_version ORDER BY version DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "schema_version is empty");
        var text = reader.GetString(1);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$", text);
        return (reader.GetInt64(0), DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Its own chat routes and its copy of the old Flask bridge: plain SQL, SQLite's own times, none of the bridge's newer columns.</summary>
    public void StartChat(string sessionId)
    {
        using var db = Open();
        Execute(db, "INSERT INTO web_chat_sessions (session_id, uid, ip_address, metadata) VALUES ($s, $u, '127.0.0.1', '{}')",
            ("$s", sessionId), ("$u", Guid.NewGuid().ToString("N")[..16]));
    }

    public long PostMessage(string sessionId, string text)
    {
        using var db = Open();
        Execute(db, "INSERT INTO web_chat_messages (session_id, message, timestamp) VALUES ($s, $m, datetime('now'))", ("$s", sessionId), ("$m", text));
        Execute(db, "UPDATE web_chat_sessions SET last_active = datetime('now') WHERE session_id = $s", ("$s", sessionId));
        return (long)Scalar(db, "SELECT last_insert_rowid()")!;
    }

    public long PostResponse(string sessionId, string text, long messageId)
    {
        using var db = Open();
        Execute(db, "INSERT INTO web_chat_responses (session_id, response, message_id, timestamp) VALUES ($s, $r, $m, datetime('now'))",
            ("$s", sessionId), ("$r", text), ("$m", messageId));
        var id = (long)Scalar(db, "SELECT last_insert_rowid()")!;
        Execute(db, "UPDATE web_chat_messages SET processed = 1 WHERE id = $m", ("$m", messageId));
        return id;
    }

    /// <summary>Its rate limiter's row, in its local time.</summary>
    public void CountRequest(string ip, string endpoint)
    {
        using var db = Open();
        Execute(db, "INSERT INTO rate_limits (ip_address, endpoint, count, window_start) VALUES ($i, $e, 1, datetime('now', 'localtime'))", ("$i", ip), ("$e", endpoint));
    }

    /// <summary>Python's sqlite3 default: wait at most 5 s for a lock; SQLAlchemy leaves foreign keys off.</summary>
    public SqliteConnection Open()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, DefaultTimeout = 5 }.ToString());
        db.Open();
        Execute(db, "PRAGMA busy_timeout = 5000");
        return db;
    }

    public static string OrmNow() => OrmTime(DateTime.UtcNow);

    /// <summary>How SQLAlchemy stores a <c>DateTime</c> on SQLite.</summary>
    public static string OrmTime(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);

    public static void Execute(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command.ExecuteScalar();
    }
}
