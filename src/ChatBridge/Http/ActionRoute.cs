using System.Buffers;

namespace ChatBridge.Http;

/// <summary>
/// Turns the query form <c>/api/v1/?action=NAME</c> (Broca's, and the Flask bridge's) into the route <c>/api/v1/NAME</c>
/// before routing, so both forms reach the same endpoint through ordinary endpoint routing.
/// </summary>
internal static class ActionRoute
{
    public const string Prefix = "/api/v1";

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>Marks a request that named its action in the query, whose unknown name is <c>Invalid action</c> (400), not a 404.</summary>
    private static readonly object FromQuery = new();

    public static WebApplication UseActionRoute(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var path = http.Request.Path;
            if ((path.Equals(Prefix, StringComparison.OrdinalIgnoreCase) || path.Equals(Prefix + "/", StringComparison.OrdinalIgnoreCase))
                && QueryParams.Single(http, "action") is { Length: > 0 and <= 64 } name
                && !name.AsSpan().ContainsAnyExcept(NameCharacters))
            {
                return RouteAsync(http, next, $"{Prefix}/{name}");
            }
            return next(http);
        });
        return app;
    }

    /// <summary>The path is put back afterwards, so that request logs show it as the client sent it.</summary>
    private static async Task RouteAsync(HttpContext http, RequestDelegate next, string route)
    {
        var sent = http.Request.Path;
        http.Request.Path = route;
        http.Items[FromQuery] = FromQuery;
        try
        {
            await next(http);
        }
        finally
        {
            http.Request.Path = sent;
        }
    }

    public static bool CameFromQuery(HttpContext http) => http.Items.ContainsKey(FromQuery);
}
