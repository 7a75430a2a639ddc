using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Http;

/// <summary>A successful <c>/api</c> answer: <c>{"success": true, "message": "Success", "timestamp", "data"}</c>.</summary>
internal sealed record Envelope<T>(bool Success, string Message, string Timestamp, T Data);

/// <summary>
/// A failed <c>/api</c> answer: <c>{"success": false, "error", "code", "timestamp"}</c>; a 429 adds <c>retry_after</c>
/// (seconds), which no other answer carries.
/// </summary>
internal sealed record ErrorEnvelope(
    bool Success, string Error, int Code, string Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfter = null)
{
    public static ErrorEnvelope Of(int status, string error, int? retryAfter = null) =>
        new(false, error, status, Timestamps.Format(TimeProvider.System.GetUtcNow()), retryAfter);
}

/// <summary>Builds the envelopes as typed results, so an endpoint's signature names every answer it gives.</summary>
internal static class Envelope
{
    /// <summary>The wire format: snake_case names, as the contract spells them. The host's JSON options are set from it.</summary>
    public static readonly JsonSerializerOptions Json = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new PointInTimeConverter());
        return options;
    }

    public static Ok<Envelope<T>> Ok<T>(T data) =>
        TypedResults.Ok(new Envelope<T>(true, "Success", Timestamps.Format(TimeProvider.System.GetUtcNow()), data));

    public static BadRequest<ErrorEnvelope> BadRequest(string error) =>
        TypedResults.BadRequest(ErrorEnvelope.Of(StatusCodes.Status400BadRequest, error));

    public static NotFound<ErrorEnvelope> NotFound(string error) =>
        TypedResults.NotFound(ErrorEnvelope.Of(StatusCodes.Status404NotFound, error));

    /// <summary>Any other failure, for answers that are not an endpoint's own (fallbacks, the exception handler).</summary>
    public static IResult Fail(int status, string error) => Fail(ErrorEnvelope.Of(status, error));

    public static JsonHttpResult<ErrorEnvelope> Forbidden(string error) =>
        TypedResults.Json(ErrorEnvelope.Of(StatusCodes.Status403Forbidden, error), Json, "application/json; charset=utf-8", StatusCodes.Status403Forbidden);

    public static IResult Fail(ErrorEnvelope body, int? retryAfterSeconds = null) => new ErrorResult(body, retryAfterSeconds);

    public static IResult RateLimited(int retryAfterSeconds) =>
        Fail(ErrorEnvelope.Of(StatusCodes.Status429TooManyRequests, Errors.RateLimitExceeded, retryAfterSeconds), retryAfterSeconds);

    public static IResult Unavailable(string error, int retryAfterSeconds) =>
        Fail(ErrorEnvelope.Of(StatusCodes.Status503ServiceUnavailable, error), retryAfterSeconds);

    private sealed class ErrorResult(ErrorEnvelope body, int? retryAfterSeconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => body.Code;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = body.Code;
            if (retryAfterSeconds is { } seconds)
            {
                httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return httpContext.Response.WriteAsJsonAsync(body, Json, "application/json; charset=utf-8");
        }
    }
}
