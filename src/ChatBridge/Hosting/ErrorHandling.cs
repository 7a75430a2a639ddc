using ChatBridge.Api;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Hosting;

/// <summary>
/// The one place an unhandled exception becomes an answer (ASP.NET Core's exception handler logs it once):
/// always the JSON envelope, never an HTML page. A database still locked after the busy timeout is a 503
/// to retry; a request Kestrel rejected keeps its 4xx.
/// </summary>
internal static class ErrorHandling
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static WebApplication UseBridgeErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteErrorAsync });
        return app;
    }

    private static Task WriteErrorAsync(HttpContext http)
    {
        var result = http.Features.Get<IExceptionHandlerFeature>()?.Error switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge),
            BadHttpRequestException bad => Envelope.Fail(bad.StatusCode, Errors.InvalidJson),
            SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => Envelope.Unavailable(Errors.DatabaseBusy, retryAfterSeconds: 1),
            _ => Envelope.Fail(StatusCodes.Status500InternalServerError, Errors.InternalServerError),
        };
        return result.ExecuteAsync(http);
    }
}
