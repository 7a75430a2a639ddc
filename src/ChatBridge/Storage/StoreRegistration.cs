using ChatBridge.Access;
using ChatBridge.Accounts;
using ChatBridge.Admin;
using ChatBridge.Agents;
using ChatBridge.Attachments;
using ChatBridge.Chat;
using ChatBridge.Http;
using ChatBridge.Inbox;
using ChatBridge.Presence;
using ChatBridge.Settings;
using ChatBridge.Stats;

namespace ChatBridge.Storage;

internal static class StoreRegistration
{
    /// <summary>The stores every engine shares, over the engine's <see cref="Data.IDatabase"/> and <see cref="ISqlDialect"/>.</summary>
    public static IServiceCollection AddStores(this IServiceCollection services)
    {
        services.AddSingleton<ISessionStore, ConversationStore>();
        services.AddSingleton<ISessionGuardStore, SessionGuardStore>();
        services.AddSingleton<SessionGuard>();
        services.AddSingleton<IFeedbackStore, FeedbackStore>();
        services.AddSingleton<IPresenceStore, PresenceStore>();
        services.AddSingleton<BrocaPresence>();
        services.AddSingleton<AttachmentFolder>();
        services.AddSingleton<IAttachmentStore, AttachmentStore>();
        services.AddSingleton<IAdminStore, AdminStore>();
        services.AddSingleton<IInboxStore, InboxStore>();
        services.AddSingleton<IReplyStore, ReplyStore>();
        services.AddSingleton<IAgentStore, AgentStore>();
        services.AddSingleton<IConfigStore, ConfigStore>();
        services.AddSingleton<IStatsStore, StatsStore>();
        services.AddSingleton<IAccountStore, AccountStore>();
        services.AddSingleton<IAgentKeyStore, AgentKeyStore>();
        return services;
    }
}
