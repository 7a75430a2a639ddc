using ChatBridge.Accounts;
using ChatBridge.Admin;
using ChatBridge.Agents;
using ChatBridge.Attachments;
using ChatBridge.Chat;
using ChatBridge.Http;
using ChatBridge.Inbox;
using ChatBridge.Settings;
using ChatBridge.Stats;
using ChatBridge.Widget;

namespace ChatBridge.Hosting;

/// <summary>The API's services and its endpoints: <c>/api/v1/NAME</c> per action, grouped by feature.</summary>
internal static class BridgeApi
{
    public static IServiceCollection AddBridgeApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => Envelope.Configure(options.SerializerOptions));
        services.AddSingleton<ActionCatalog>();
        services.AddPublicCors();
        services.AddAttachments();
        return services;
    }

    public static WebApplication MapBridgeApi(this WebApplication app)
    {
        var api = app.MapGroup(ActionRoute.Prefix)
            .Produces<ErrorEnvelope>(StatusCodes.Status405MethodNotAllowed);
        api.MapChatApi();
        api.MapUploadApi();
        api.MapAccountsApi();
        api.MapAgentsApi();
        api.MapBrocaApi();
        api.MapAdminApi();
        api.MapMaintenanceApi();
        api.MapAgentKeyApi();
        api.MapBrocasApi();
        api.MapStuckMessageApi();
        api.MapStatsApi();
        api.MapConfigApi();
        api.MapApiFallbacks(app);
        app.MapFileEndpoint();
        return app;
    }
}
