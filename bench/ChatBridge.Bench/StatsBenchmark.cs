using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Bench;

/// <summary>
/// How long the admin's <c>stats</c> action takes on a large database. The host creates its database; this program
/// then writes the chat history straight into it (the API would take far longer to store a million messages), and
/// asks for <c>stats</c>: once cold (the host's first <c>stats</c>, its connections' page caches emptied by the
/// writes), then warm, several times.
/// </summary>
internal static class StatsBenchmark
{
    public const string Mode = "stats";

    private const int MessagesPerSession = 10;
    private const int Agents = 3;
    private const int WarmRuns = 5;

    public static async Task<int> RunAsync(string hostDll, string[] args)
    {
        int messages = 1_000_000, historyDays = 90;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
            switch (args[i])
            {
                case "--messages" when value > 0:
                    messages = value;
                    break;
                case "--history-days" when value > 0:
                    historyDays = value;
                    break;
                default:
                    Console.Error.WriteLine($"Usage: dotnet run -c Release --project bench/ChatBridge.Bench -- {Mode} [--messages N] [--history-days N]");
                    return 2;
            }
        }
        await using var host = await HostProcess.StartAsync(hostDll, [], maxSocketsPerClient: 100);
        var fill = Stopwatch.StartNew();
        var (replies, waiting) = Fill(host.DatabasePath, messages, historyDays, DateTimeOffset.UtcNow);
        Console.WriteLine($"""
            stats on {messages:N0} messages and {replies:N0} replies over {historyDays} days ({messages / historyDays:N0} a day, {messages / MessagesPerSession:N0} sessions, {Agents} agents), {waiting:N0} unanswered
            Database written in {fill.Elapsed.TotalSeconds:F1} s, {new FileInfo(host.DatabasePath).Length / 1048576.0:F0} MiB
            """);

        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        Console.WriteLine($"cold: {await TimeAsync(http):F0} ms");
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
    /// Messages spread evenly over the last <paramref name="historyDays"/> days, each answered once 1 to ~300 s later
    /// (most within seconds, a long tail), but for one in fifty and those of the last minute, which wait.
    /// </summary>
    private static (long Replies, long Waiting) Fill(string databasePath, int messages, int historyDays, DateTimeOffset now)
    {
        var random = new Random(13);
        using var db = new SqliteConnection($"Data Source={databasePath}");
        db.Open();
        using var tx = db.BeginTransaction();
        var agentIds = new long[Agents];
        for (var a = 0; a < Agents; a++)
        {
            agentIds[a] = Scalar(db, tx, "INSERT INTO agents (name, description, status) VALUES ($n, 'bench', 'active') RETURNING id", ("$n", $"Agent {a + 1}"));
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
        var start = now.AddDays(-historyDays);
        var step = TimeSpan.FromDays(historyDays) / messages;
        long replies = 0, waiting = 0;
        var sessionId = "";
        for (var i = 0; i < messages; i++)
        {
            var asked = start + (step * i);
            if (i % MessagesPerSession == 0)
            {
                sessionId = $"session_bench{i:D10}";
                Run(session, sessionId, $"{i / MessagesPerSession:x16}", agentIds[random.Next(Agents)], Stamp(asked));
            }
            // Seconds to the reply: exponential around 8 s, at least 1, a few up to minutes.
            var seconds = 1 + (-8 * Math.Log(1 - random.NextDouble()));
            var replied = asked.AddSeconds(seconds);
            var answered = replied < now && random.Next(50) != 0;
            var id = (long)Run(message, sessionId, Stamp(asked), $"{i / MessagesPerSession:x16}", answered ? Stamp(replied) : null)!;
            if (answered)
            {
                Run(reply, sessionId, id, Stamp(replied));
                replies++;
            }
            else
            {
                waiting++;
            }
        }
        tx.Commit();
        // The host reads the main file, not a WAL of a few hundred megabytes.
        using var checkpoint = db.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
        return (replies, waiting);
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
