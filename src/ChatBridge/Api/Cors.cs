using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ChatBridge.Api;

/// <summary>The CORS policy of the public actions; keyed actions have none, so browsers on other sites cannot call them.</summary>
internal static class Cors
{
    public const string Public = "public";

    public static IServiceCollection AddPublicCors(this IServiceCollection services) =>
        services.AddCors(options => options.AddPolicy(Public, policy => AllowedOrigins(policy)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Content-Type")));

    /// <summary>Which sites may call the public actions from a browser: any, answered with <c>*</c> as the contract has it.</summary>
    private static CorsPolicyBuilder AllowedOrigins(CorsPolicyBuilder policy) => policy.AllowAnyOrigin();

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
