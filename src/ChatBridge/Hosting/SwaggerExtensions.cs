namespace ChatBridge.Hosting;

internal static class SwaggerExtensions
{
    public static IServiceCollection AddBridgeSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen();
        return services;
    }

    public static WebApplication UseBridgeSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI();
        return app;
    }
}
