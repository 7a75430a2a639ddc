using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace ChatBridge.Tests.I18n;

/// <summary>
/// The catalogues are static files: revalidated with an ETag (a 304 while unchanged), gzipped, and readable by the
/// widget's loader from any site's page.
/// </summary>
public sealed class CatalogueServingTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Theory]
    [InlineData("en")]
    [InlineData("ar")]
    [InlineData("zh-CN")]
    public async Task A_catalogue_is_json_revalidated_with_an_etag_and_readable_from_any_site(string locale)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/i18n/{locale}.json");
        request.Headers.Add("Origin", "https://shop.example");

        var response = await app.Anonymous().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);

        var again = new HttpRequestMessage(HttpMethod.Get, $"/i18n/{locale}.json");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await app.Anonymous().SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task A_catalogue_goes_out_gzipped()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/i18n/de.json");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        var response = await app.Anonymous().SendAsync(request);
        var sent = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        using var unpacked = new StreamReader(new GZipStream(new MemoryStream(sent), CompressionMode.Decompress));
        var text = await unpacked.ReadToEndAsync();
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "wwwroot", "i18n", "de.json")), text);
        Assert.True(sent.Length < text.Length / 2, $"{sent.Length} bytes gzipped of {text.Length}");
    }

    [Fact]
    public async Task Bootstrap_comes_in_both_directions()
    {
        foreach (var file in new[] { "bootstrap.min.css", "bootstrap.rtl.min.css" })
        {
            var response = await app.Anonymous().GetAsync($"/lib/bootstrap/{file}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
