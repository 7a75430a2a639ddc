using System.Text.Json.Nodes;
using ChatBridge.Api;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ChatBridge.Hosting;

/// <summary>
/// Turns the <see cref="ActionDoc"/> and <see cref="IActionHandler"/> that <c>MapBridgeApi</c> puts in each endpoint's
/// metadata into the operation's query parameters, body, envelope examples, error answers and security. The handlers
/// take only <c>HttpContext</c>, so API Explorer itself sees none of this.
/// </summary>
internal sealed class ActionDocOperationFilter : IOperationFilter
{
    private const string Json = "application/json";
    private const string ExampleTime = "2026-11-24T10:15:30.123Z";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<ActionDoc>().FirstOrDefault() is not { } doc)
        {
            return;
        }
        // Null on the ?action= entry point, which can answer whatever any action answers.
        var handler = metadata.OfType<IActionHandler>().FirstOrDefault();
        var isPost = HttpMethods.IsPost(context.ApiDescription.HttpMethod ?? "");

        operation.Parameters ??= [];
        foreach (var query in doc.Query)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = new OpenApiSchema { Type = SchemaType(query.Type) },
            });
        }

        // The entry point's body is whatever the chosen action takes, so it gets an optional, untyped object.
        var hasBody = isPost && (doc.BodyExample is not null || handler is null);
        if (hasBody)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = handler is not null,
                Description = handler is null ? "The chosen action's body, as documented at its own route." : null,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [Json] = new()
                    {
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Object },
                        Example = doc.BodyExample is null ? null : JsonNode.Parse(doc.BodyExample),
                    },
                },
            };
        }

        operation.Responses ??= [];
        operation.Responses["200"] = Success(handler is null ? "The chosen action's success envelope" : "Success envelope", doc.DataExample);
        operation.Responses["400"] = Failure(StatusCodes.Status400BadRequest, "Bad request", BadRequestErrors(doc, hasBody));
        if (handler?.Access is not Access.Public)
        {
            operation.Responses["401"] = Failure(StatusCodes.Status401Unauthorized, "Missing or wrong key", UnauthorizedErrors(handler?.Access));
        }
        // The entry point can answer whatever 404 an action answers; today that is session_messages' one.
        var notFound = handler is null ? Errors.SessionNotFound : doc.NotFoundError;
        if (notFound is not null)
        {
            operation.Responses["404"] = Failure(StatusCodes.Status404NotFound, "Not found", [notFound]);
        }
        operation.Responses["405"] = Failure(StatusCodes.Status405MethodNotAllowed, "Method not allowed for this action", [Errors.MethodNotAllowed]);
        if (isPost)
        {
            operation.Responses["413"] = Failure(StatusCodes.Status413PayloadTooLarge, "Request body over the size limit", [Errors.RequestTooLarge]);
        }
        if (handler is null || handler.RateLimitSetting is not null)
        {
            operation.Responses["429"] = RateLimited();
        }

        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SwaggerExtensions.BearerScheme, context.Document)] = [] };
        operation.Security = handler?.Access switch
        {
            Access.Public => null,
            null => [new OpenApiSecurityRequirement(), bearer], // an empty requirement makes the key optional: it depends on the action
            _ => [bearer],
        };
    }

    private static JsonSchemaType SchemaType(string type) => type switch
    {
        "integer" => JsonSchemaType.Integer,
        "boolean" => JsonSchemaType.Boolean,
        _ => JsonSchemaType.String,
    };

    /// <summary>
    /// The 400s that follow from an action's declared inputs. Field-level errors of a body (<c>Invalid message</c>, …)
    /// are not declared anywhere, so they are left to the action's description.
    /// </summary>
    private static List<string> BadRequestErrors(ActionDoc doc, bool hasBody)
    {
        List<string> errors = hasBody ? [Errors.InvalidJson] : [];
        foreach (var query in doc.Query)
        {
            errors.AddRange(query.Name switch
            {
                "action" => [Errors.MissingAction, Errors.InvalidAction],
                "session_id" => [Errors.MissingSessionId, Errors.InvalidSessionId],
                _ => [Errors.InvalidParameter(query.Name)],
            });
        }
        // ErrorHandling answers a request Kestrel rejects as a 400 with this text.
        return errors.Count > 0 ? errors : [Errors.InvalidJson];
    }

    private static List<string> UnauthorizedErrors(Access? access) => access switch
    {
        Access.ApiKey => [Errors.AuthenticationRequired, Errors.InvalidApiKey],
        Access.Admin => [Errors.AuthenticationRequired, Errors.InvalidAdminKey],
        _ => [Errors.AuthenticationRequired, Errors.InvalidApiKey, Errors.InvalidAdminKey],
    };

    private static OpenApiResponse Success(string description, string? dataExample)
    {
        var media = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } };
        if (dataExample is not null)
        {
            media.Example = new JsonObject
            {
                ["success"] = true,
                ["message"] = "Success",
                ["timestamp"] = ExampleTime,
                ["data"] = JsonNode.Parse(dataExample),
            };
        }
        return new OpenApiResponse { Description = description, Content = new Dictionary<string, OpenApiMediaType> { [Json] = media } };
    }

    private static OpenApiResponse Failure(int status, string description, List<string> errors)
    {
        var media = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } };
        if (errors is [var only])
        {
            media.Example = FailureEnvelope(status, only);
        }
        else
        {
            media.Examples = errors.ToDictionary(error => error, error => (IOpenApiExample)new OpenApiExample { Value = FailureEnvelope(status, error) });
        }
        return new OpenApiResponse { Description = description, Content = new Dictionary<string, OpenApiMediaType> { [Json] = media } };
    }

    private static OpenApiResponse RateLimited()
    {
        var example = FailureEnvelope(StatusCodes.Status429TooManyRequests, Errors.RateLimitExceeded);
        example["retry_after"] = 1200;
        return new OpenApiResponse
        {
            Description = "Hourly limit per client IP reached; retry after `retry_after` seconds (also the `Retry-After` header)",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Json] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object }, Example = example },
            },
        };
    }

    private static JsonObject FailureEnvelope(int status, string error) => new()
    {
        ["success"] = false,
        ["error"] = error,
        ["code"] = status,
        ["timestamp"] = ExampleTime,
    };
}
