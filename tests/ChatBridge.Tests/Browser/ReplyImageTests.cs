using System.Text.RegularExpressions;
using ChatBridge.Tests.Attachments;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// Images in an agent's Markdown reply: the bridge's own <c>/files/</c> render in place; any other image is a link,
/// never fetched (it would tell that site who reads the chat), unless <c>ChatBridge:Chat:RemoteImages</c> allows it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ReplyImageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    internal const string RemoteImage = "https://example.com/x.png";

    [Fact]
    public async Task The_bridges_own_file_renders_inline_and_a_remote_image_becomes_a_link_that_is_never_requested()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.WaitUntilLiveAsync();
        var remoteRequests = await CountRemoteRequestsAsync(chat.Page);
        var session = await chat.SessionIdAsync();
        using var visitor = app.Anonymous();
        visitor.DefaultRequestHeaders.Add("X-Session-Token", await chat.SessionTokenAsync());
        var chart = await visitor.UploadedAsync(session, TestFiles.Png(40, 30), "chart.png");
        using var broca = app.Broca();

        await (await broca.PostReplyAsync(session, $"Your chart:\n\n![chart]({chart.GetProperty("url").GetString()})\n\nAnd theirs: ![their picture]({RemoteImage})")).DataAsync();

        var reply = chat.AgentMessages.Locator(".bubble-text");
        var own = reply.Locator("img.reply-image");
        await Expect(own).ToHaveAttributeAsync("src", new Regex($"/files/{chart.Id()}/chart\\.png$"));
        await Expect(own).ToHaveAttributeAsync("alt", "chart");
        // Loaded and decoded, not a broken image: the file's own 40 pixels.
        await Expect(own).ToHaveJSPropertyAsync("naturalWidth", 40);
        var link = reply.GetByRole(AriaRole.Link, new() { Name = "Image: their picture" });
        await Expect(link).ToHaveAttributeAsync("href", RemoteImage);
        await Expect(reply.Locator("img")).ToHaveCountAsync(1);
        Assert.Equal(0, remoteRequests());

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(chat.AgentMessages.Locator("img.reply-image")).ToHaveJSPropertyAsync("naturalWidth", 40);
        await Expect(chat.AgentMessages.GetByRole(AriaRole.Link, new() { Name = "Image: their picture" })).ToBeVisibleAsync();
        Assert.Equal(0, remoteRequests());
    }

    /// <summary>
    /// Answers every request to example.com with a 1×1 PNG and counts them: the remote site, made reachable, so a test
    /// that sees none sent knows the page did not try.
    /// </summary>
    internal static async Task<Func<int>> CountRemoteRequestsAsync(IPage page)
    {
        var count = 0;
        var pixel = TestFiles.SolidPng(1, 1);
        await page.Context.RouteAsync(ExampleCom(), async route =>
        {
            Interlocked.Increment(ref count);
            await route.FulfillAsync(new() { Status = 200, ContentType = "image/png", BodyBytes = pixel });
        });
        return () => Volatile.Read(ref count);
    }

    [GeneratedRegex(@"^https?://([^/]*\.)?example\.com(:\d+)?/")]
    private static partial Regex ExampleCom();
}

/// <summary>The bridge with <c>ChatBridge:Chat:RemoteImages</c> on.</summary>
public sealed class RemoteImagesLiveBridge() : LiveBridge(rateLimiting: false, ("ChatBridge:Chat:RemoteImages", "true"));

[Collection(BrowserCollection.Name)]
public sealed class AllowedRemoteImageTests(BrowserFixture browser, RemoteImagesLiveBridge app) : BrowserTest(browser), IClassFixture<RemoteImagesLiveBridge>
{
    [Fact]
    public async Task With_remote_images_allowed_an_https_image_of_a_reply_renders_and_is_fetched()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.WaitUntilLiveAsync();
        var remoteRequests = await ReplyImageTests.CountRemoteRequestsAsync(chat.Page);
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();

        await (await broca.PostReplyAsync(session, $"Theirs: ![their picture]({ReplyImageTests.RemoteImage})")).DataAsync();

        var image = chat.AgentMessages.Locator("img.reply-image");
        await Expect(image).ToHaveAttributeAsync("src", ReplyImageTests.RemoteImage);
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 1);
        Assert.True(remoteRequests() > 0);
        await Expect(chat.AgentMessages.GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
    }
}
