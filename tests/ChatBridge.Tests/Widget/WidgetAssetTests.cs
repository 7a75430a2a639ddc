namespace ChatBridge.Tests.Widget;

public sealed class WidgetAssetTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Theory]
    [InlineData("/widget.js")]
    [InlineData("/chat/widget.js")]
    [InlineData("/widget/static/js/chat-widget.js")]
    public async Task The_loader_and_its_old_urls_serve_one_script_cached_for_minutes(string path)
    {
        var response = await app.Anonymous().GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "wwwroot", "widget.js")), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/widget/", "panel.js")]
    [InlineData("/widget/demo", "widget.js")]
    public async Task The_panel_and_the_demo_are_pages_revalidated_on_each_load(string path, string script)
    {
        var response = await app.Anonymous().GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains(script, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_list_any_site_may_frame_the_panel_and_call_the_api()
    {
        var panel = await app.Anonymous().GetAsync("/widget/");
        var request = new HttpRequestMessage(HttpMethod.Get, "/widget/config");
        request.Headers.Add("Origin", "https://anywhere.example");
        var config = await app.Anonymous().SendAsync(request);

        Assert.EndsWith("frame-ancestors *", panel.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        await config.DataAsync();
        Assert.Equal("*", config.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Theory]
    [InlineData("shop.example")]
    [InlineData("https://shop.example/path")]
    [InlineData("ftp://shop.example")]
    [InlineData("https://shop.example?x=1")]
    public void An_allowed_origin_that_is_not_an_origin_stops_the_start(string origin)
    {
        using var bad = new BridgeApp { Settings = { ["ChatBridge:Widget:AllowedOrigins:0"] = origin } };

        var failure = Assert.ThrowsAny<Exception>(() => bad.Services);

        Assert.Contains($"ChatBridge:Widget:AllowedOrigins: '{origin}' is not an origin", failure.ToString(), StringComparison.Ordinal);
    }
}
