using ChatBridge.Data;
using ChatBridge.Data.Postgres;
using ChatBridge.Data.Schema;
using ChatBridge.Data.Sqlite;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using Dapper;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

internal static class DatabaseExtensions
{
    /// <summary>
    /// Options, then the stores of the configured provider behind one set of interfaces: handlers never know which
    /// engine answers them.
    /// </summary>
    public static IServiceCollection AddControlDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatBridgeOptions>().Bind(configuration.GetSection(ChatBridgeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatBridgeOptions>, ChatBridgeOptionsValidator>();
        services.AddOptions<HostOptions>().Configure<IOptions<ChatBridgeOptions>>((host, bridge) => host.ShutdownTimeout = bridge.Value.ShutdownTimeout);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PollTouches>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<KeyBootstrapper>();
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        var provider = configuration.GetSection(ChatBridgeOptions.Section).Get<ChatBridgeOptions>()?.Database ?? new DatabaseOptions();
        return provider.IsPostgres ? services.AddPostgresStores(provider.ConnectionString!) : services.AddSqliteStores();
    }

    /// <summary>The embedded default: one file, one writer in this process, events fanned out in this process.</summary>
    private static IServiceCollection AddSqliteStores(this IServiceCollection services)
    {
        services.AddSingleton<Db>();
        services.AddSingleton<KeptReaders>();
        services.AddSingleton<IWalSync, FsyncWalSync>();
        services.AddSingleton<WriteQueue>();
        services.AddSingleton<IDatabaseMigrator, SchemaMigrator>();
        services.AddSingleton<DatabaseBackup>();
        services.AddSingleton<ISessionStore, SqliteSessionStore>();
        services.AddSingleton<IInboxStore, SqliteInboxStore>();
        services.AddSingleton<IReplyStore, SqliteReplyStore>();
        services.AddSingleton<IAgentStore, SqliteAgentStore>();
        services.AddSingleton<IConfigStore, SqliteConfigStore>();
        services.AddSingleton<IStatsStore, SqliteStatsStore>();
        services.AddSingleton<IRealtimeBus, InProcessBus>();
        services.AddHealthChecks().AddCheck<WritesHealthCheck>("writes");
        return services;
    }

    /// <summary>
    /// A PostgreSQL server shared by any number of instances: every store reads and writes it directly (each commit
    /// durable by the server's <c>synchronous_commit</c>), and events cross instances by LISTEN/NOTIFY.
    /// </summary>
    private static IServiceCollection AddPostgresStores(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => PostgresDataSource.Create(connectionString));
        services.AddSingleton<IDatabaseMigrator, PostgresSchemaMigrator>();
        services.AddSingleton<ISessionStore, PostgresSessionStore>();
        services.AddSingleton<IInboxStore, PostgresInboxStore>();
        services.AddSingleton<IReplyStore, PostgresReplyStore>();
        services.AddSingleton<IAgentStore, PostgresAgentStore>();
        services.AddSingleton<IConfigStore, PostgresConfigStore>();
        services.AddSingleton<PostgresBus>();
        services.AddSingleton<IRealtimeBus>(sp => sp.GetRequiredService<PostgresBus>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresBus>());
        services.AddHealthChecks().AddCheck<RealtimeBusHealthCheck>("realtime");
        return services;
    }

    /// <summary>Creates or upgrades the control database and makes sure it has keys, before anything is served.</summary>
    public static async Task InitializeControlDatabaseAsync(this WebApplication app)
    {
        var ct = app.Lifetime.ApplicationStopping;
        // Options are checked here, before anything opens the database, so a bad setting stops the start with its message.
        _ = app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value;
        await app.Services.GetRequiredService<IDatabaseMigrator>().MigrateAsync(ct);
        await app.Services.GetRequiredService<KeyBootstrapper>().EnsureKeysAsync(ct);
    }
}
