namespace ChatBridge.Inbox;

internal static class DeliveryExtensions
{
    /// <summary>Inbox claims as leases, and the background sweep that returns lapsed ones.</summary>
    public static IServiceCollection AddInboxDelivery(this IServiceCollection services)
    {
        services.AddSingleton<InboxDelivery>();
        services.AddHostedService<LeaseSweeper>();
        return services;
    }
}
