using ChatBridge.Access;
using ChatBridge.Data;
using ChatBridge.Events;
using ChatBridge.Realtime;
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
        services.AddHostedService(sp => sp.GetRequiredService<WriteQueue>());
        services.AddSingleton<IDatabaseMigrator, SqliteSchemaMigrator>();
        services.AddSingleton<DatabaseBackup>();
        services.AddSingleton<IDatabase, SqliteDatabase>();
        services.AddSingleton<ISqlDialect, SqliteDialect>();
        services.AddStores();
        services.AddSingleton<IRealtimeBus, InProcessBus>();
        services.AddSingleton<IClientLimiters, InProcessLimiters>();
        services.AddSingleton<IKeyLockout, InProcessKeyLockout>();
        services.AddHealthChecks().AddCheck<WritesHealthCheck>("writes");
        services.AddSingleton<IStorageFaults, SqliteFaults>();
        services.AddHostedService<OtherWriters>();
        return services;
    }
}
