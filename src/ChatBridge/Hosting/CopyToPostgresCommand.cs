using ChatBridge.Configuration;
using ChatBridge.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

/// <summary>
/// <c>copy-to-postgres [--to CONNECTION_STRING]</c>: copies the configured SQLite control database (every table, the
/// control app's and unknown ones included) into an empty PostgreSQL database, by default the one in
/// <c>ChatBridge:Database:ConnectionString</c>, and checks the row counts table by table (see <see cref="SqliteToPostgresCopy"/>).
/// </summary>
internal sealed record CopyToPostgresCommand(string? Target) : IHostCommand
{
    public const string Usage = "usage: ChatBridge copy-to-postgres [--to CONNECTION_STRING]";

    /// <summary>The source must come out byte for byte as it was, so Program must not upgrade it or seed keys first.</summary>
    public bool InitializesDatabase => false;

    public static (IHostCommand Command, string[] HostArgs) Parse(string[] args) => args switch
    {
        ["copy-to-postgres", "--to", var target, .. var rest] when !target.StartsWith('-') => (new CopyToPostgresCommand(target), rest),
        ["copy-to-postgres", .. var rest] => (new CopyToPostgresCommand(Target: null), rest),
        _ => throw new ArgumentException("Not a copy-to-postgres command.", nameof(args)),
    };

    public async Task<int> RunAsync(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value;
        var environment = services.GetRequiredService<IHostEnvironment>();
        var source = BridgePaths.Resolve(options.DatabasePath, environment);
        if ((Target ?? options.Database.ConnectionString) is not { Length: > 0 } connectionString)
        {
            await Console.Error.WriteLineAsync($"{Usage}\nName the target with --to or ChatBridge:Database:ConnectionString.");
            return 2;
        }
        return await ActivatorUtilities.CreateInstance<SqliteToPostgresCopy>(services).RunAsync(source, connectionString, Console.Out, Console.Error);
    }
}
