using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>Swagger UI under the same Content-Security-Policy as the other pages: it must still work.</summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class SwaggerPageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task Swagger_UI_runs_under_the_strict_policy_and_tries_an_action()
    {
        var page = await Browser.NewPageAsync(app.BaseUrl);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        var response = await page.GotoAsync("/swagger/index.html");

        Assert.NotNull(response);
        var headers = await response.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        await Expect(page.Locator(".swagger-ui .info .title")).ToContainTextAsync("ChatBridge");

        var agents = page.Locator(".opblock").Filter(new() { Has = page.Locator(".opblock-summary-path", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^/api/v1/agents$") }) });
        await agents.Locator(".opblock-summary").ClickAsync();
        await agents.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
        await agents.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();
        await Expect(agents.Locator(".live-responses-table td.response-col_status:not(.col_header)")).ToHaveTextAsync("200");
        Assert.Empty(violations);
    }
}
