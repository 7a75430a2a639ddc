using ChatBridge.Api;
using ChatBridge.Data;
using ChatBridge.Data.Postgres;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

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
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
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
        var result = http.Features.Get<IExceptionHandlerFeature>()?.Error switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge),
            BadHttpRequestException bad => Envelope.Fail(bad.StatusCode, Errors.InvalidJson),
            SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => Envelope.Unavailable(Errors.DatabaseBusy, retryAfterSeconds: 1),
            Exception e when StorageErrors.IsFull(e) => Envelope.Unavailable(Errors.StorageFull, StorageFullRetrySeconds),
            WriteQueueStoppedException => Envelope.Unavailable(Errors.StorageUnavailable, StorageFullRetrySeconds),
            // The write's whole group failed (a fault of the file or of the connection); the next group runs on a fresh one.
            WriteGroupFailedException => Envelope.Unavailable(Errors.DatabaseBusy, retryAfterSeconds: 1),
            Exception e when PostgresDataSource.IsUnavailable(e) => Envelope.Unavailable(Errors.DatabaseUnavailable, DatabaseUnavailableRetrySeconds),
            _ => Envelope.Fail(StatusCodes.Status500InternalServerError, Errors.InternalServerError),
        };
        return result.ExecuteAsync(http);
    }
}
