using ChatBridge.Data;
using ChatBridge.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace ChatBridge.Hosting;

/// <summary>
/// The one place an unhandled exception becomes an answer (ASP.NET Core's exception handler logs it once):
/// always the JSON envelope, never an HTML page. A database still locked after the busy timeout, a write whose group
/// failed, or a full disk, is a 503 to retry (the latter later: space rarely comes back within a second); a stopped
/// write queue is a 503 until a restart; an unreachable PostgreSQL server a 503 to retry in a moment; a request Kestrel
/// rejected keeps its 4xx.
/// </summary>
internal static class ErrorHandling
{
    private const int StorageFullRetrySeconds = 30;

    /// <summary>An instance reconnects to a PostgreSQL server that is back within seconds.</summary>
    private const int DatabaseUnavailableRetrySeconds = 2;

    public static WebApplication UseBridgeErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteErrorAsync });
        return app;
    }

    private static Task WriteErrorAsync(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var fault = error is null ? null : http.RequestServices.GetServices<IStorageFaults>().Select(f => f.Classify(error)).FirstOrDefault(k => k is not null);
        var result = (error, fault) switch
        {
            (BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }, _) =>
                Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge),
            (BadHttpRequestException bad, _) => Envelope.Fail(bad.StatusCode, Errors.InvalidJson),
            (_, StorageFaultKind.Busy) => Envelope.Unavailable(Errors.DatabaseBusy, retryAfterSeconds: 1),
            (_, StorageFaultKind.Full) => Envelope.Unavailable(Errors.StorageFull, StorageFullRetrySeconds),
            (_, StorageFaultKind.Stopped) => Envelope.Unavailable(Errors.StorageUnavailable, StorageFullRetrySeconds),
            (_, StorageFaultKind.Unavailable) => Envelope.Unavailable(Errors.DatabaseUnavailable, DatabaseUnavailableRetrySeconds),
            _ => Envelope.Fail(StatusCodes.Status500InternalServerError, Errors.InternalServerError),
        };
        return result.ExecuteAsync(http);
    }
}
