using ChatBridge.Data;
using ChatBridge.Data.Schema;
using ChatBridge.Data.Sqlite;
using ChatBridge.Settings;
using Dapper;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatBridge.Hosting;

internal static class DatabaseExtensions
{
    public static IServiceCollection AddControlDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatBridgeOptions>().Bind(configuration.GetSection(ChatBridgeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatBridgeOptions>, ChatBridgeOptionsValidator>();
        services.AddOptions<HostOptions>().Configure<IOptions<ChatBridgeOptions>>((host, bridge) => host.ShutdownTimeout = bridge.Value.ShutdownTimeout);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Db>();
        services.AddSingleton<KeptReaders>();
        services.AddSingleton<IWalSync, FsyncWalSync>();
        services.AddSingleton<WriteQueue>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<ConfigRepository>();
        services.AddSingleton<ChatRepository>();
        services.AddSingleton<IStatsStore, SqliteStatsStore>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<KeyBootstrapper>();
        services.AddSingleton<DatabaseBackup>();
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        return services;
    }

    /// <summary>Creates or upgrades the control database and makes sure it has keys, before anything is served.</summary>
    public static async Task InitializeControlDatabaseAsync(this WebApplication app)
    {
        var ct = app.Lifetime.ApplicationStopping;
        await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        await app.Services.GetRequiredService<KeyBootstrapper>().EnsureKeysAsync(ct);
    }
}
