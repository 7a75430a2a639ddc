using ChatBridge.Http;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ChatBridge.Widget;

/// <summary>The CORS policy <see cref="Cors.Public"/>: the sites allowed to embed the widget may call the public actions.</summary>
internal static class PublicCors
{
    /// <summary>
    /// Which sites may call the public actions from a browser: those of <c>ChatBridge:Widget:AllowedOrigins</c>, or any
    /// (answered with <c>*</c> as the contract has it) while that list is empty.
    /// </summary>
    public static IServiceCollection AddPublicCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<AllowedOrigins>((options, origins) => options.AddPolicy(Cors.Public, policy => origins.ApplyTo(policy)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Content-Type")));
        return services;
    }

    /// <summary>
    /// The CORS middleware, whose answer to a preflight (an empty 204) is turned into the contract's: 200 with the envelope.
    /// </summary>
    public static WebApplication UsePublicCors(this WebApplication app)
    {
        app.Use((http, next) => HttpMethods.IsOptions(http.Request.Method) ? PreflightAsync(http, next) : next(http));
        app.UseCors();
        return app;
    }

    private static async Task PreflightAsync(HttpContext http, RequestDelegate next)
    {
        await next(http);
        if (http.Response is { StatusCode: StatusCodes.Status204NoContent, HasStarted: false })
        {
            await ApiFallbacks.Preflight().ExecuteAsync(http);
        }
    }
}
