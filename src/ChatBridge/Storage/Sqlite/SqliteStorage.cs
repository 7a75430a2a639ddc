using ChatBridge.Access;
using ChatBridge.Admin;
using ChatBridge.Agents;
using ChatBridge.Chat;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Inbox;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using ChatBridge.Stats;
namespace ChatBridge.Storage.Sqlite;

internal static class SqliteStorage
{
    /// <summary>
    /// The embedded default: one file, one writer in this process, events fanned out and rate limits counted in this process.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddSingleton<Db>();
        services.AddSingleton<KeptReaders>();
        services.AddSingleton<IWalSync, FsyncWalSync>();
        services.AddSingleton<WriteQueue>();
        services.AddSingleton<IDatabaseMigrator, SqliteSchemaMigrator>();
        services.AddSingleton<DatabaseBackup>();
        services.AddSingleton<SqliteSessionStore>();
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<SqliteSessionStore>());
        services.AddSingleton<IAdminStore>(sp => sp.GetRequiredService<SqliteSessionStore>());
        services.AddSingleton<IInboxStore, SqliteInboxStore>();
        services.AddSingleton<IReplyStore, SqliteReplyStore>();
        services.AddSingleton<IAgentStore, SqliteAgentStore>();
        services.AddSingleton<IConfigStore, SqliteConfigStore>();
        services.AddSingleton<IStatsStore, SqliteStatsStore>();
        services.AddSingleton<IRealtimeBus, InProcessBus>();
        services.AddSingleton<IClientLimiters, InProcessLimiters>();
        services.AddSingleton<IKeyLockout, InProcessKeyLockout>();
        services.AddHealthChecks().AddCheck<WritesHealthCheck>("writes");
        services.AddSingleton<IStorageFaults, SqliteFaults>();
        return services;
    }
}
