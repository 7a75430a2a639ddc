using ChatBridge.Access;
using ChatBridge.Configuration;
using ChatBridge.Data;
using ChatBridge.Events;
using Microsoft.Extensions.Options;
namespace ChatBridge.Storage.Postgres;

internal static class PostgresStorage
{
    /// <summary>
    /// A PostgreSQL server shared by any number of instances: every store reads and writes it directly (each commit
    /// durable by the server's <c>synchronous_commit</c>), events cross instances by LISTEN/NOTIFY, and rate limits and
    /// wrong-key lockouts are counted in the database, one budget for all instances.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => PostgresDataSource.Create(connectionString));
        services.AddSingleton<IDatabaseMigrator, PostgresSchemaMigrator>();
        services.AddSingleton<IDatabase, PostgresDatabase>();
        services.AddSingleton<AnnouncedWrites>();
        services.AddSingleton<ISqlDialect, PostgresDialect>();
        services.AddStores();
        services.AddSingleton<IRateCounterStore, PostgresRateCounterStore>();
        services.AddSingleton<IClientLimiters, SharedLimiters>();
        services.AddSingleton<IKeyLockout, SharedKeyLockout>();
        services.AddSingleton(_ => new BusListener(connectionString));
        services.AddSingleton<IBusNotifier, PoolNotifier>();
        services.AddSingleton<PostgresBus>();
        services.AddSingleton<IRealtimeBus>(sp => sp.GetRequiredService<PostgresBus>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresBus>());
        services.AddHealthChecks().AddCheck<RealtimeBusHealthCheck>("realtime");
        services.AddSingleton<IStorageFaults, PostgresFaults>();
        services.AddSingleton<IValidateOptions<ChatBridgeOptions>, PostgresOptionsValidator>();
        return services;
    }
}
