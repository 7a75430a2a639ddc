using System.Text.Json;
using ChatBridge.Http;

namespace ChatBridge.Tests;

public sealed class SwaggerTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    /// <summary>Every action of the contract with its methods.</summary>
    private static readonly Dictionary<string, string[]> Actions = new()
    {
        ["messages"] = ["post"],
        ["upload"] = ["get", "post"],
        ["responses"] = ["get"],
        ["history"] = ["get"],
        ["agents"] = ["get"],
        ["inbox"] = ["get"],
        ["outbox"] = ["post"],
        ["typing"] = ["post"],
        ["sessions"] = ["get"],
        ["session_messages"] = ["get"],
        ["config"] = ["get", "post"],
        ["cleanup"] = ["post"],
        ["clear_data"] = ["post"],
        ["cleanup_logs"] = ["post"],
    };

    [Fact]
    public async Task Document_lists_every_action_at_its_own_route_with_its_methods()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        foreach (var (action, methods) in Actions)
        {
            Assert.True(paths.TryGetProperty($"/api/v1/{action}", out var path), $"no path for {action}");
            Assert.Equal(methods.Order(), path.EnumerateObject().Select(p => p.Name).Order());
        }
    }

    [Fact]
    public async Task Document_is_titled_ChatBridge_and_describes_the_envelope()
    {
        var info = (await DocumentAsync()).GetProperty("info");

        Assert.Equal("ChatBridge", info.GetProperty("title").GetString());
        var description = info.GetProperty("description").GetString();
        Assert.Contains("\"success\": false, \"error\"", description);
        Assert.Contains("/api/v1/?action=NAME", description);
    }

    [Fact]
    public async Task Inbox_documents_its_query_parameters_with_types()
    {
        var inbox = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/v1/inbox").GetProperty("get");

        var parameters = inbox.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["limit", "offset", "since", "wait"], parameters.Keys.Order());
        Assert.All(parameters.Values, p => Assert.Equal("query", p.GetProperty("in").GetString()));
        Assert.Equal("integer", parameters["limit"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("string", parameters["since"].GetProperty("schema").GetProperty("type").GetString());
        Assert.False(parameters["limit"].TryGetProperty("required", out var required) && required.GetBoolean());
    }

    [Fact]
    public async Task Messages_documents_its_body_and_success_envelope_with_examples()
    {
        var messages = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/v1/messages").GetProperty("post");

        var body = messages.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("session_k3f9x2m4q8w1", body.GetProperty("session_id").GetString());
        Assert.Equal("Hello, Athena!", body.GetProperty("message").GetString());

        var ok = ResponseExample(messages, "200");
        Assert.True(ok.GetProperty("success").GetBoolean());
        Assert.Equal("Success", ok.GetProperty("message").GetString());
        Assert.True(ok.GetProperty("data").GetProperty("is_new_user").GetBoolean());
    }

    [Fact]
    public async Task Error_answers_follow_the_actions_access_method_and_rate_limit()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var messages = paths.GetProperty("/api/v1/messages").GetProperty("post");
        var inbox = paths.GetProperty("/api/v1/inbox").GetProperty("get");
        var sessionMessages = paths.GetProperty("/api/v1/session_messages").GetProperty("get");

        Assert.Equal(["200", "400", "403", "405", "413", "429"], ResponseCodes(messages));
        Assert.Equal(["200", "400", "401", "405", "429"], ResponseCodes(inbox));
        Assert.Equal(["200", "400", "401", "404", "405"], ResponseCodes(sessionMessages));

        var tooMany = ResponseExample(messages, "429");
        Assert.False(tooMany.GetProperty("success").GetBoolean());
        Assert.Equal(Errors.RateLimitExceeded, tooMany.GetProperty("error").GetString());
        Assert.Equal(429, tooMany.GetProperty("code").GetInt32());
        Assert.True(tooMany.GetProperty("retry_after").GetInt32() > 0);
        Assert.Equal(Errors.SessionNotFound, ResponseExample(sessionMessages, "404").GetProperty("error").GetString());

        var unauthorized = inbox.GetProperty("responses").GetProperty("401").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        Assert.Equal(
            [Errors.AuthenticationRequired, Errors.InvalidApiKey],
            unauthorized.EnumerateObject().Select(e => e.Value.GetProperty("value").GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Every_action_documents_its_success_envelope_with_the_fields_of_its_data()
    {
        var document = await DocumentAsync();
        foreach (var (action, methods) in Actions)
        {
            foreach (var method in methods)
            {
                var operation = document.GetProperty("paths").GetProperty($"/api/v1/{action}").GetProperty(method);
                var envelope = Resolve(document, ResponseSchema(operation, "200"));
                Assert.Equal(["data", "message", "success", "timestamp"], PropertyNames(envelope));
                var data = Resolve(document, envelope.GetProperty("properties").GetProperty("data"));
                Assert.True(PropertyNames(data).Any(), $"{method} {action}: data names no fields");
            }
        }
    }

    [Fact]
    public async Task Inbox_data_names_each_message_field_broca_reads_and_the_pagination()
    {
        var document = await DocumentAsync();
        var inbox = document.GetProperty("paths").GetProperty("/api/v1/inbox").GetProperty("get");

        var data = DataSchema(document, inbox);

        Assert.Equal(["messages", "pagination"], PropertyNames(data));
        var message = Resolve(document, data.GetProperty("properties").GetProperty("messages").GetProperty("items"));
        Assert.Superset(new HashSet<string> { "id", "session_id", "message", "timestamp", "uid" }, PropertyNames(message).ToHashSet());
        Assert.Equal("integer", message.GetProperty("properties").GetProperty("id").GetProperty("type").GetString());
        var pagination = Resolve(document, data.GetProperty("properties").GetProperty("pagination"));
        Assert.Equal(["has_more", "limit", "offset", "total"], PropertyNames(pagination));
    }

    [Fact]
    public async Task Messages_and_responses_data_are_named_as_on_the_wire()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");

        var accepted = DataSchema(document, paths.GetProperty("/api/v1/messages").GetProperty("post"));
        Assert.Equal(["is_new_user", "message_id", "session_id", "timestamp", "uid"], PropertyNames(accepted));
        var responses = DataSchema(document, paths.GetProperty("/api/v1/responses").GetProperty("get"));
        Assert.Equal(["responses", "session_id"], PropertyNames(responses));
        var reply = Resolve(document, responses.GetProperty("properties").GetProperty("responses").GetProperty("items"));
        Assert.Equal(["author", "id", "message_id", "response", "timestamp"], PropertyNames(reply));

        foreach (var schema in document.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            Assert.All(PropertyNames(schema.Value), name => Assert.Equal(name.ToLowerInvariant(), name));
        }
    }

    [Fact]
    public async Task Every_error_answer_is_documented_as_the_error_envelope()
    {
        var document = await DocumentAsync();
        foreach (var (action, methods) in Actions)
        {
            foreach (var method in methods)
            {
                var operation = document.GetProperty("paths").GetProperty($"/api/v1/{action}").GetProperty(method);
                var errors = ResponseCodes(operation).Where(code => code != "200").ToList();
                Assert.Contains("405", errors);
                foreach (var code in errors)
                {
                    var envelope = Resolve(document, ResponseSchema(operation, code));
                    Assert.Equal(["code", "error", "retry_after", "success", "timestamp"], PropertyNames(envelope));
                }
            }
        }
    }

    [Fact]
    public async Task Keyed_actions_require_the_Bearer_scheme_and_public_ones_do_not()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/v1/inbox", "get"), ("/api/v1/sessions", "get") })
        {
            var security = paths.GetProperty(path).GetProperty(method).GetProperty("security");
            Assert.True(security.EnumerateArray().Single().TryGetProperty("Bearer", out _), $"{path} lacks Bearer");
        }
        Assert.False(paths.GetProperty("/api/v1/messages").GetProperty("post").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task Swagger_UI_is_served_at_swagger()
    {
        var client = app.Anonymous();

        var page = await client.GetAsync("/swagger/index.html");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>ChatBridge API</title>", await page.Content.ReadAsStringAsync());

        var root = await client.GetAsync("/swagger");
        Assert.True(root.IsSuccessStatusCode, $"/swagger answered {(int)root.StatusCode}");
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await app.Anonymous().GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement ResponseSchema(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");

    private static JsonElement DataSchema(JsonElement document, JsonElement operation) =>
        Resolve(document, Resolve(document, ResponseSchema(operation, "200")).GetProperty("properties").GetProperty("data"));

    /// <summary>The schema itself, following a <c>$ref</c> into the components.</summary>
    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private static IEnumerable<string> PropertyNames(JsonElement schema) =>
        schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).Order() : [];

    private static IEnumerable<string> ResponseCodes(JsonElement operation) =>
        operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order();

    private static JsonElement ResponseExample(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("example");
}
