using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Realtime;

internal static class RealtimeExtensions
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<AdminFeed>();
        services.AddSingleton<NotificationHub>();
        services.AddSingleton<TypingTimers>();
        services.AddSingleton<LongPoller>();
        services.AddSingleton<SocketLimiter>();
        return services;
    }

    /// <summary>ASP.NET Core's WebSocket support, with pings that keep idle sockets open through proxies and drop dead peers.</summary>
    public static WebApplication UseBridgeWebSockets(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.WebSockets;
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = limits.KeepAliveInterval, KeepAliveTimeout = limits.KeepAliveInterval });
        return app;
    }
}
