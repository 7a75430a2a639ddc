namespace ChatBridge.Data;

/// <summary>Creates the control database's tables, or brings an older shape up to date, adding and never losing a row.</summary>
internal interface IDatabaseMigrator
{
    Task MigrateAsync(CancellationToken ct);
}
