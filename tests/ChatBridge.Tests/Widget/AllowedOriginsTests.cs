using ChatBridge.Configuration;
using ChatBridge.Widget;
using Microsoft.Extensions.Options;

namespace ChatBridge.Tests.Widget;

public sealed class AllowedOriginsTests
{
    [Theory]
    [InlineData("https://shop.example", true)]
    [InlineData("https://SHOP.example", true)]
    [InlineData("https://shop.example:443", true)]
    [InlineData("http://127.0.0.1:5123", true)]
    [InlineData("http://shop.example", false)]
    [InlineData("https://shop.example:8443", false)]
    [InlineData("https://evil.shop.example", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    public void Listed_origins_match_by_scheme_host_and_port_whatever_their_spelling(string origin, bool allowed)
    {
        var origins = With("https://Shop.Example/", "http://127.0.0.1:5123");

        Assert.Equal(allowed, origins.IsAllowed(origin));
        Assert.False(origins.AllowsAny);
    }

    [Fact]
    public void An_empty_list_allows_any_site()
    {
        var origins = With();

        Assert.True(origins.AllowsAny);
        Assert.True(origins.IsAllowed("https://anywhere.example"));
    }

    private static AllowedOrigins With(params string[] origins) =>
        new(Options.Create(new ChatBridgeOptions { Widget = new WidgetOptions { AllowedOrigins = [.. origins] } }));
}
