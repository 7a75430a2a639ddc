using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Storage.Postgres;

/// <summary>With the PostgreSQL provider, the connection string must name a server; it is parsed here, not tried.</summary>
internal sealed class PostgresOptionsValidator : IValidateOptions<ChatBridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatBridgeOptions options) =>
        options.Database.IsPostgres && PostgresConnectionProblem(options.Database.ConnectionString) is { } problem
            ? ValidateOptionsResult.Fail($"ChatBridge:Database:ConnectionString {problem}")
            : ValidateOptionsResult.Success;

    /// <summary>Why a PostgreSQL connection string cannot work, or null; it is parsed here, not tried.</summary>
    private static string? PostgresConnectionProblem(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "is required when ChatBridge:Database:Provider is Postgres, e.g. Host=127.0.0.1;Port=5432;Database=sanctum;Username=chatbridge;Password=….";
        }
        try
        {
            var parsed = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrEmpty(parsed.Host) ? "names no Host." : null;
        }
        catch (ArgumentException e)
        {
            return $"does not parse: {e.Message}";
        }
    }
}
