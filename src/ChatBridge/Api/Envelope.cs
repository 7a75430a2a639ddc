using System.Text.Json;
using ChatBridge.Data;

namespace ChatBridge.Api;

/// <summary>The JSON envelope every <c>/api</c> answer is wrapped in.</summary>
internal static class Envelope
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IResult Ok(object data) =>
        new EnvelopeResult(StatusCodes.Status200OK, new SuccessBody(true, "Success", Timestamps.Now(TimeProvider.System), data));

    public static IResult Fail(int status, string error) =>
        new EnvelopeResult(status, new FailureBody(false, error, status, Timestamps.Now(TimeProvider.System)));

    public static IResult BadRequest(string error) => Fail(StatusCodes.Status400BadRequest, error);

    public static IResult RateLimited(int retryAfterSeconds) =>
        new EnvelopeResult(
            StatusCodes.Status429TooManyRequests,
            new RateLimitBody(false, Errors.RateLimitExceeded, StatusCodes.Status429TooManyRequests, Timestamps.Now(TimeProvider.System), retryAfterSeconds),
            retryAfterSeconds);

    public static IResult Unavailable(string error, int retryAfterSeconds) =>
        new EnvelopeResult(
            StatusCodes.Status503ServiceUnavailable,
            new FailureBody(false, error, StatusCodes.Status503ServiceUnavailable, Timestamps.Now(TimeProvider.System)),
            retryAfterSeconds);

    private sealed record SuccessBody(bool Success, string Message, string Timestamp, object Data);

    private sealed record FailureBody(bool Success, string Error, int Code, string Timestamp);

    private sealed record RateLimitBody(bool Success, string Error, int Code, string Timestamp, int RetryAfter);

    private sealed class EnvelopeResult(int status, object body, int? retryAfterSeconds = null) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (retryAfterSeconds is { } seconds)
            {
                httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return httpContext.Response.WriteAsJsonAsync(body, body.GetType(), Json, "application/json; charset=utf-8");
        }
    }
}
