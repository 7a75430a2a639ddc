using System.Net;

namespace ChatBridge.Tests.Api;

public sealed class DispatchTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task Missing_action_is_a_400()
    {
        var response = await app.Anonymous().GetAsync("/api/v1/");
        await response.AssertErrorAsync(400, "Missing action parameter");
    }

    [Fact]
    public async Task Unknown_action_is_a_400()
    {
        var response = await app.Anonymous().GetAsync("/api/v1/?action=launch_rockets");
        await response.AssertErrorAsync(400, "Invalid action");
    }

    [Theory]
    [InlineData("PUT", "messages", "POST, OPTIONS")]
    [InlineData("DELETE", "inbox", "GET, OPTIONS")]
    [InlineData("GET", "messages", "POST, OPTIONS")]
    [InlineData("POST", "responses", "GET, OPTIONS")]
    [InlineData("PATCH", "config", "GET, POST, OPTIONS")]
    public async Task Wrong_method_is_a_405_naming_the_allowed_ones(string method, string action, string allow)
    {
        foreach (var url in new[] { $"/api/v1/?action={action}", $"/api/v1/{action}" })
        {
            var response = await app.Anonymous().SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
            await response.AssertErrorAsync(405, "Method not allowed");
            Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        }
    }

    [Theory]
    [InlineData("/api/v1/nothing_here")]
    [InlineData("/api/v2/?action=messages")]
    [InlineData("/api/")]
    [InlineData("/api/v1/messages/extra")]
    public async Task Unknown_paths_under_api_are_a_json_404(string path)
    {
        var response = await app.Anonymous().GetAsync(path);
        await response.AssertErrorAsync(404, "Endpoint not found");
    }

    [Fact]
    public async Task The_direct_route_reaches_the_same_handler()
    {
        var client = app.Anonymous();
        var viaQuery = await (await client.GetAsync("/api/v1/?action=responses&session_id=session_route_a")).DataAsync();
        var viaRoute = await (await client.GetAsync("/api/v1/responses?session_id=session_route_a")).DataAsync();
        Assert.Equal(viaQuery.ToString(), viaRoute.ToString());
    }

    [Fact]
    public async Task Preflight_answers_200_with_cors_for_public_actions()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/?action=messages");
        request.Headers.Add("Origin", "http://elsewhere.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        var response = await app.Anonymous().SendAsync(request);

        await response.DataAsync();
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_actions_are_not_opened_to_other_origins()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/?action=sessions");
        request.Headers.Add("Origin", "http://elsewhere.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        var response = await app.Anonymous().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Public_answers_carry_cors_for_cross_origin_callers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/?action=responses&session_id=session_cors_1");
        request.Headers.Add("Origin", "http://elsewhere.example");

        var response = await app.Anonymous().SendAsync(request);

        await response.DataAsync();
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Get_handlers_ignore_a_content_type_header_and_never_read_a_body()
    {
        // Broca sends Content-Type: application/json on every request, GETs included.
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/?action=inbox&limit=1&offset=0")
        {
            Content = new StringContent("", System.Text.Encoding.UTF8, "application/json"),
        };
        var response = await app.Broca().SendAsync(request);
        var data = await response.DataAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Array, data.GetProperty("messages").ValueKind);
    }
}
