using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ChatBridge.Bench;

/// <summary>
/// How long the admin's <c>stats</c> action takes on a large database, SQLite or PostgreSQL. The host creates its
/// database; this program then writes the chat history straight into it (the API would take far longer to store a
/// million messages), and asks for <c>stats</c>: first once (it counts the window's closed days and keeps them in
/// <c>stats_daily</c>, on connections whose caches the writes emptied), then warm, several times (they read the kept
/// days and count today).
/// </summary>
internal static class StatsBenchmark
{
    public const string Mode = "stats";

    private const int MessagesPerSession = 10;
    private const int Agents = 3;
    private const int WarmRuns = 5;
    private const string Usage =
        $"Usage: dotnet run -c Release --project bench/ChatBridge.Bench -- {Mode} [--messages N] [--history-days N] [--provider sqlite|postgres] [--postgres CONNSTRING] [--host-dll PATH]";

    public static async Task<int> RunAsync(string hostDll, string[] args)
    {
        int messages = 1_000_000, historyDays = 90;
        var provider = BenchOptions.Sqlite;
        var admin = Environment.GetEnvironmentVariable(BenchOptions.PostgresVariable);
        for (var i = 0; i < args.Length; i += 2)
        {
            var text = i + 1 < args.Length ? args[i + 1] : null;
            var value = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
            switch (args[i])
            {
                case "--messages" when value > 0:
                    messages = value;
                    break;
                case "--history-days" when value > 0:
                    historyDays = value;
                    break;
                case "--provider" when text is BenchOptions.Sqlite or BenchOptions.Postgres:
                    provider = text;
                    break;
                case "--postgres" when !string.IsNullOrWhiteSpace(text):
                    admin = text;
                    break;
                case "--host-dll" when File.Exists(text):
                    hostDll = Path.GetFullPath(text);
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (provider == BenchOptions.Postgres && string.IsNullOrWhiteSpace(admin))
        {
            Console.Error.WriteLine($"--provider postgres needs --postgres or ${BenchOptions.PostgresVariable}.\n{Usage}");
            return 2;
        }

        await using var database = provider == BenchOptions.Postgres ? await BenchDatabase.CreatePostgresAsync(admin!) : null;
        await using var host = await HostProcess.StartAsync(hostDll, database?.HostArgs ?? [], maxSocketsPerClient: 100);
        var fill = Stopwatch.StartNew();
        var history = History.Generate(messages, historyDays, DateTimeOffset.UtcNow);
        var size = database?.ConnectionString is { } connectionString
            ? await FillPostgresAsync(connectionString, history)
            : FillSqlite(host.DatabasePath, history);
        Console.WriteLine($"""
            stats on {messages:N0} messages and {history.Replies:N0} replies over {historyDays} days ({messages / historyDays:N0} a day, {history.Sessions.Count:N0} sessions, {Agents} agents), {history.Waiting:N0} unanswered
            {(provider == BenchOptions.Postgres ? "PostgreSQL" : "SQLite")} database written in {fill.Elapsed.TotalSeconds:F1} s, {size / 1048576.0:F0} MiB
            """);

        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        Console.WriteLine($"first (counts and keeps the closed days): {await TimeAsync(http):F0} ms");
        var warm = new List<double>();
        for (var i = 0; i < WarmRuns; i++)
        {
            warm.Add(await TimeAsync(http));
        }
        warm.Sort();
        Console.WriteLine($"warm ({WarmRuns} runs): median {warm[WarmRuns / 2]:F0} ms, min {warm[0]:F0} ms, max {warm[^1]:F0} ms");
        return 0;
    }

    private static async Task<double> TimeAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri("api/v1/stats", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"stats answered {(int)response.StatusCode}: {body}");
        }
        return elapsed;
    }

    /// <summary>
    /// Messages spread evenly over the history's days, each answered once 1 to ~300 s later (most within seconds, a
    /// long tail), but for one in fifty and those of the last minute, which wait. The same for both engines.
    /// </summary>
    private sealed record History(IReadOnlyList<(string Id, string Uid, int Agent, DateTimeOffset At)> Sessions,
        IReadOnlyList<(int Session, DateTimeOffset Asked, DateTimeOffset? Answered)> Messages, long Replies, long Waiting)
    {
        public static History Generate(int messages, int historyDays, DateTimeOffset now)
        {
            var random = new Random(13);
            List<(string, string, int, DateTimeOffset)> sessions = [];
            List<(int, DateTimeOffset, DateTimeOffset?)> asked = [];
            var start = now.AddDays(-historyDays);
            var step = TimeSpan.FromDays(historyDays) / messages;
            long replies = 0;
            for (var i = 0; i < messages; i++)
            {
                var at = start + (step * i);
                if (i % MessagesPerSession == 0)
                {
                    sessions.Add(($"session_bench{i:D10}", $"{i / MessagesPerSession:x16}", random.Next(Agents), at));
                }
                // Seconds to the reply: exponential around 8 s, at least 1, a few up to minutes.
                var replied = at.AddSeconds(1 + (-8 * Math.Log(1 - random.NextDouble())));
                var answered = replied < now && random.Next(50) != 0;
                asked.Add((sessions.Count - 1, at, answered ? replied : null));
                replies += answered ? 1 : 0;
            }
            return new History(sessions, asked, replies, messages - replies);
        }
    }

    /// <returns>The database file's size.</returns>
    private static long FillSqlite(string databasePath, History history)
    {
        using var db = new SqliteConnection($"Data Source={databasePath}");
        db.Open();
        using var tx = db.BeginTransaction();
        var agentIds = new long[Agents];
        for (var a = 0; a < Agents; a++)
        {
            agentIds[a] = Scalar(db, tx, "INSERT INTO agents (name, letta_uid, description) VALUES ($n, $n, 'bench') RETURNING id", ("$n", $"Agent {a + 1}"));
        }
        using var session = Command(db, tx, """
            INSERT INTO web_chat_sessions (session_id, uid, agent_id, created_at, last_active) VALUES ($s, $u, $a, $t, $t)
            """, "$s", "$u", "$a", "$t");
        using var message = Command(db, tx, """
            INSERT INTO web_chat_messages (session_id, message, timestamp, uid, processed, processed_at, answered_at)
            VALUES ($s, 'How do I reset my password?', $t, $u, 1, $t, $r) RETURNING id
            """, "$s", "$t", "$u", "$r");
        using var reply = Command(db, tx, """
            INSERT INTO web_chat_responses (session_id, message_id, response, timestamp) VALUES ($s, $m, 'Open Settings, then Security.', $t)
            """, "$s", "$m", "$t");
        foreach (var (id, uid, agent, at) in history.Sessions)
        {
            Run(session, id, uid, agentIds[agent], Stamp(at));
        }
        foreach (var (index, asked, answered) in history.Messages)
        {
            var (sessionId, uid, _, _) = history.Sessions[index];
            var id = (long)Run(message, sessionId, Stamp(asked), uid, answered is { } at ? Stamp(at) : null)!;
            if (answered is { } replied)
            {
                Run(reply, sessionId, id, Stamp(replied));
            }
        }
        tx.Commit();
        // The host reads the main file, not a WAL of a few hundred megabytes.
        using var checkpoint = db.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
        return new FileInfo(databasePath).Length;
    }

    /// <summary>The same rows through <c>COPY</c>, with the ids given here and the identities moved past them.</summary>
    /// <returns>The database's size.</returns>
    private static async Task<long> FillPostgresAsync(string connectionString, History history)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var tx = await db.BeginTransactionAsync();
        var agentIds = new long[Agents];
        for (var a = 0; a < Agents; a++)
        {
            await using var agent = new NpgsqlCommand("INSERT INTO agents (name, letta_uid, description) VALUES (@n, @n, 'bench') RETURNING id", db, tx);
            agent.Parameters.AddWithValue("n", $"Agent {a + 1}");
            agentIds[a] = (long)(await agent.ExecuteScalarAsync())!;
        }
        await using (var sessions = await db.BeginTextImportAsync("COPY web_chat_sessions (session_id, uid, agent_id, created_at, last_active) FROM STDIN (FORMAT csv)"))
        {
            foreach (var (id, uid, agent, at) in history.Sessions)
            {
                await sessions.WriteLineAsync($"{id},{uid},{agentIds[agent]},{Stamp(at)},{Stamp(at)}");
            }
        }
        await using (var messages = await db.BeginTextImportAsync(
            "COPY web_chat_messages (id, session_id, message, timestamp, uid, processed, processed_at, answered_at) FROM STDIN (FORMAT csv)"))
        {
            for (var i = 0; i < history.Messages.Count; i++)
            {
                var (index, asked, answered) = history.Messages[i];
                var (sessionId, uid, _, _) = history.Sessions[index];
                await messages.WriteLineAsync($"{i + 1},{sessionId},How do I reset my password?,{Stamp(asked)},{uid},1,{Stamp(asked)},{(answered is { } at ? Stamp(at) : "")}");
            }
        }
        await using (var replies = await db.BeginTextImportAsync("COPY web_chat_responses (session_id, message_id, response, timestamp) FROM STDIN (FORMAT csv)"))
        {
            for (var i = 0; i < history.Messages.Count; i++)
            {
                if (history.Messages[i] is (var index, _, { } replied))
                {
                    await replies.WriteLineAsync($"{history.Sessions[index].Id},{i + 1},\"Open Settings, then Security.\",{Stamp(replied)}");
                }
            }
        }
        await using (var identity = new NpgsqlCommand("SELECT setval(pg_get_serial_sequence('web_chat_messages', 'id'), (SELECT max(id) FROM web_chat_messages))", db, tx))
        {
            await identity.ExecuteScalarAsync();
        }
        await tx.CommitAsync();
        // What autovacuum gives a database that filled over months: statistics, and the visibility map that lets an
        // index-only scan skip the table. Rows just loaded by COPY have neither, and the first read of each page would
        // also write its rows' hint bits: a cost of the load, not of the query timed here.
        await using (var analyze = new NpgsqlCommand("VACUUM (ANALYZE)", db))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", db);
        return (long)(await size.ExecuteScalarAsync())!;
    }

    private static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static SqliteCommand Command(SqliteConnection db, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }

    private static object? Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command.ExecuteScalar();
    }

    private static long Scalar(SqliteConnection db, SqliteTransaction tx, string sql, (string Name, object Value) parameter)
    {
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return (long)command.ExecuteScalar()!;
    }
}
