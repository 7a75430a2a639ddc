using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBridge.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ChatBridge.Hosting;

/// <summary>
/// What the endpoints' own metadata cannot say in OpenAPI, added to each operation: the Bearer requirement of the
/// keyed actions (Swashbuckle does not read authorization metadata) and examples — the endpoint's
/// <see cref="ApiExamples"/> and, for each error status it lists, the envelope with the contract's error text.
/// </summary>
internal sealed class OpenApiExamples : IOperationFilter
{
    private const string ExampleTime = "2026-11-24T10:15:30.123Z";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault();
        if (policy is not null)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SwaggerExtensions.BearerScheme, context.Document)] = [] }];
        }
        var examples = metadata.OfType<ApiExamples>().FirstOrDefault();
        if (examples?.Request is { } request && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
        {
            body.Example = Node(request);
        }
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response.Content?.TryGetValue("application/json", out var media) != true)
            {
                continue;
            }
            if (status == "200" && examples?.Data is { } data)
            {
                media!.Example = Node(new Envelope<object>(true, "Success", ExampleTime, data));
            }
            else if (ErrorsOf(status, policy) is { Length: > 0 } errors)
            {
                var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
                if (errors is [var only])
                {
                    media!.Example = Node(Failure(code, only));
                }
                else
                {
                    media!.Examples = errors.ToDictionary(error => error, error => (IOpenApiExample)new OpenApiExample { Value = Node(Failure(code, error)) });
                }
            }
        }
    }

    /// <summary>The error texts an answer of this status carries; 400s vary with the input and are named in the descriptions.</summary>
    private static string[] ErrorsOf(string status, string? policy) => status switch
    {
        "401" => [Errors.AuthenticationRequired, policy == Policies.Admin ? Errors.InvalidAdminKey : Errors.InvalidApiKey],
        "404" => [Errors.SessionNotFound],
        "405" => [Errors.MethodNotAllowed],
        "413" => [Errors.RequestTooLarge],
        "429" => [Errors.RateLimitExceeded],
        _ => [],
    };

    private static ErrorEnvelope Failure(int status, string error) =>
        new(false, error, status, ExampleTime, status == StatusCodes.Status429TooManyRequests ? 1200 : null);

    private static JsonNode? Node(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Envelope.Json);
}
