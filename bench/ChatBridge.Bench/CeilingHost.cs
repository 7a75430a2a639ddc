using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ChatBridge.Bench;

/// <summary>
/// The ceiling for w1: a bare Kestrel + SQLite host that answers <c>/responses?session_id=…</c> with one indexed read of
/// the session's replies from the bridge's own database file, serialised as JSON. No middleware, logging, envelope,
/// validation or session bookkeeping: what polling would cost if the bridge did nothing but the read.
/// </summary>
internal static class CeilingHost
{
    public const string Mode = "--ceiling-host";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task RunAsync(string databasePath, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString();
        app.MapGet("/health", () => "ok");
        app.MapGet("/responses", async (HttpContext http, CancellationToken ct) =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, response, timestamp, message_id FROM web_chat_responses WHERE session_id = $session ORDER BY id";
            command.Parameters.AddWithValue("$session", http.Request.Query["session_id"].ToString());
            var rows = new List<Row>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
            }
            await http.Response.WriteAsJsonAsync(rows, Json, ct);
        });
        await app.RunAsync();
    }

    private sealed record Row(long Id, string Response, string Timestamp, long? MessageId);
}
