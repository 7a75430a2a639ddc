using System.Net.Sockets;
using Npgsql;

namespace ChatBridge.Storage.Postgres;

internal static class PostgresDataSource
{
    /// <summary>
    /// Connecting gives up after this long at most, so a request to an unreachable server is a quick 503, not a hang.
    /// </summary>
    private const int MaxConnectSeconds = 5;

    /// <summary>
    /// The pool every store shares. Statements used again and again are prepared automatically on each connection,
    /// as the SQLite poll keeps its statements prepared.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Timeout = Math.Min(settings.Timeout, MaxConnectSeconds);
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        // A pooled connection is otherwise reset before its next use (CLOSE ALL, UNLISTEN *, advisory unlocks, DISCARD
        // SEQUENCES and TEMP): five statements the server runs for every request. The stores leave no session state
        // behind (their settings are SET LOCAL, in a transaction), so there is nothing to reset.
        settings.NoResetOnClose = true;
        return builder.Build();
    }

    /// <summary>The server cannot be reached or dropped the connection: retry later, nothing is wrong with the request.</summary>
    public static bool IsUnavailable(Exception error) => error switch
    {
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } => true,
        TimeoutException => true,
        _ => false,
    };
}
