namespace ChatBridge.Api;

internal static class BridgeApiExtensions
{
    public static IServiceCollection AddActionHandlers(this IServiceCollection services)
    {
        foreach (var type in typeof(IActionHandler).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IActionHandler).IsAssignableFrom(t)))
        {
            services.AddSingleton(typeof(IActionHandler), type);
        }
        services.AddSingleton<ActionDispatcher>();
        services.AddSingleton<BridgeRateLimiter>();
        services.AddCors();
        return services;
    }

    /// <summary>
    /// <c>/api/v1/?action=NAME</c> and <c>/api/v1/NAME</c> for every handler; anything else under
    /// <c>/api/</c> is a JSON 404. The per-action routes carry the handlers' descriptions for Swagger.
    /// </summary>
    public static WebApplication MapBridgeApi(this WebApplication app)
    {
        var dispatcher = app.Services.GetRequiredService<ActionDispatcher>();
        var api = app.MapGroup("/api/v1");
        // Typed as Delegate so the endpoints write the returned IResult rather than binding as a RequestDelegate.
        Delegate byQuery = (HttpContext http) => dispatcher.DispatchAsync(http, null);
        Delegate byRoute = (HttpContext http, string action) => dispatcher.DispatchAsync(http, action);

        api.MapMethods("/", [HttpMethods.Get, HttpMethods.Post], byQuery)
            .WithName("action")
            .WithTags("Compatibility entry point")
            .WithSummary("Any action, chosen by ?action=NAME (the form Broca and the Flask bridge use)")
            .WithMetadata(new ActionDoc("", "") { Query = [new QueryDoc("action", "The action to run, e.g. inbox.", Required: true)] });

        foreach (var handler in dispatcher.Handlers)
        {
            Delegate dispatch = (HttpContext http) => dispatcher.DispatchAsync(http, handler.Action);
            api.MapMethods($"/{handler.Action}", ActionDispatcher.HttpMethodsOf(handler.Methods), dispatch)
                .WithName(handler.Action)
                .WithTags(handler.Access switch
                {
                    Access.Public => "Chat (public)",
                    Access.ApiKey => "Broca (API key)",
                    _ => "Admin (admin key)",
                })
                .WithSummary(handler.Doc.Summary)
                .WithDescription(handler.Doc.Description)
                .WithMetadata(handler.Doc, handler);
        }

        // Every other method (OPTIONS preflight, wrong methods) reaches the dispatcher too, which answers 200 or 405.
        api.Map("/", byQuery).WithOrder(1).ExcludeFromDescription();
        api.Map("/{action}", byRoute).WithOrder(1).ExcludeFromDescription();
        app.Map("/api/{**path}", () => Envelope.Fail(StatusCodes.Status404NotFound, Errors.EndpointNotFound)).WithOrder(2).ExcludeFromDescription();
        return app;
    }
}
