using ChatBridge.Chat;
using ChatBridge.Configuration;
using ChatBridge.Data;
using ChatBridge.Settings;
using ChatBridge.Stats;
using ChatBridge.Storage;
using ChatBridge.Storage.Postgres;
using ChatBridge.Storage.Sqlite;
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
        services.AddSingleton<StatsRollup>();
        SqlValues.ConfigureDapper();

        var provider = configuration.GetSection(ChatBridgeOptions.Section).Get<ChatBridgeOptions>()?.Database ?? new DatabaseOptions();
        return provider.IsPostgres ? services.AddPostgresStorage(provider.ConnectionString!) : services.AddSqliteStorage();
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
