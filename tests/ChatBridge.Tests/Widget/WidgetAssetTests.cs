using System.IO.Compression;

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

    [Fact]
    public async Task The_loader_goes_out_gzipped_in_a_few_kilobytes()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/widget.js");
        request.Headers.Add("Accept-Encoding", "gzip, deflate, br, zstd");

        var response = await app.Anonymous().SendAsync(request);
        var sent = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        // 8 KB since it speaks twelve languages (its locale negotiation and catalogue loading); 5.6 KB before.
        Assert.True(sent.Length < 8 * 1024, $"the loader took {sent.Length} bytes gzipped");
        using var unpacked = new StreamReader(new GZipStream(new MemoryStream(sent), CompressionMode.Decompress));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "wwwroot", "widget.js")), await unpacked.ReadToEndAsync());
    }

    [Fact]
    public async Task Api_answers_are_never_compressed()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents");
        request.Headers.Add("Accept-Encoding", "gzip");

        var response = await app.Anonymous().SendAsync(request);

        await response.DataAsync();
        Assert.Empty(response.Content.Headers.ContentEncoding);
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
