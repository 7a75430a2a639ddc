using ChatBridge.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ChatBridge.Hosting;

internal static class SwaggerExtensions
{
    /// <summary>Name of the security scheme that <see cref="OpenApiExamples"/> requires on keyed actions.</summary>
    public const string BearerScheme = "Bearer";

    private const string Overview = """
        The chat bridge between the browser chat UI, Broca (the agent middleware) and the admin tools.

        **Envelope.** Every `/api` answer is JSON:
        - success: `{"success": true, "message": "Success", "timestamp": "<ISO-8601 UTC>", "data": {…}}`
        - failure: `{"success": false, "error": "<text>", "code": <HTTP status>, "timestamp": "<ISO-8601 UTC>"}`;
          a 429 also carries `retry_after` (seconds) and the `Retry-After` header.

        **Two route forms.** Each action is documented at its own route `/api/v1/NAME`; the same handler answers
        `/api/v1/?action=NAME` (the form Broca and older clients use), with the same methods, auth and answers.

        **Auth.** Public actions need none. Broca's actions take `Authorization: Bearer <api_key>` (the admin key is
        accepted too); admin actions take `Authorization: Bearer <admin_key>`. Use **Authorize** to set a key here.
        """;

    public static IServiceCollection AddBridgeSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo { Title = "ChatBridge", Version = "v1", Description = Overview });
            options.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The api_key (Broca) or the admin_key (admin), as printed on first start or by `keys show`.",
            });
            options.OperationFilter<OpenApiExamples>();
            // The answers' records use nullable annotations: a field that is never null is required and not nullable.
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            // Bound as text so that a bad value gets the contract's error (see QueryNumber); on the wire it is an integer.
            options.MapType<QueryNumber>(() => new OpenApiSchema { Type = JsonSchemaType.Integer });
            options.MapType<QueryNumber?>(() => new OpenApiSchema { Type = JsonSchemaType.Integer });
        });
        // The schemas show the names as they are on the wire (snake_case), whatever Swashbuckle would pick by default.
        services.AddSingleton<ISerializerDataContractResolver>(new JsonSerializerDataContractResolver(Envelope.Json));
        return services;
    }

    public static WebApplication UseBridgeSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            // Relative, so the UI still finds the document when the bridge runs under a path base.
            options.SwaggerEndpoint("v1/swagger.json", "ChatBridge v1");
            options.DocumentTitle = "ChatBridge API";
        });
        return app;
    }
}
