using System.Text.Json;
using ChatBridge.Api;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests;

public sealed class SwaggerTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Document_lists_every_action_at_its_own_route_with_its_methods()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        var handlers = app.Services.GetServices<IActionHandler>().ToList();
        Assert.NotEmpty(handlers);
        foreach (var handler in handlers)
        {
            Assert.True(paths.TryGetProperty($"/api/v1/{handler.Action}", out var path), $"no path for {handler.Action}");
            var expected = ActionDispatcher.HttpMethodsOf(handler.Methods).Select(m => m.ToLowerInvariant()).Order();
            Assert.Equal(expected, path.EnumerateObject().Select(p => p.Name).Order());
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

        Assert.Equal(["200", "400", "405", "413", "429"], ResponseCodes(messages));
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

    private static IEnumerable<string> ResponseCodes(JsonElement operation) =>
        operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order();

    private static JsonElement ResponseExample(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("example");
}
