using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ChatBridge.Http;

/// <summary>
/// A 413 with the error envelope, as a typed result: ASP.NET Core ships none for this status, and an endpoint that
/// reads a body should say in its signature (and so in OpenAPI) that an oversized one is refused.
/// </summary>
internal sealed class PayloadTooLarge : IResult, IStatusCodeHttpResult, IValueHttpResult<ErrorEnvelope>, IEndpointMetadataProvider
{
    public ErrorEnvelope Value { get; } = ErrorEnvelope.Of(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge);

    public int? StatusCode => StatusCodes.Status413PayloadTooLarge;

    public Task ExecuteAsync(HttpContext httpContext) => Envelope.Fail(Value).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ErrorEnvelope), ["application/json"]));
}
