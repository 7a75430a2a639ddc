using System.Text.Json;
using System.Text.RegularExpressions;
using ChatBridge.Tests.Attachments;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>Attachments in the admin console: in the transcript, in the Markdown export, and as the dashboard's storage.</summary>
[Collection(ConsoleBrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class AdminAttachmentTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private const string Session = "session_admin_files";

    [Fact]
    public async Task The_transcript_shows_thumbnails_and_chips_the_export_lists_them_and_the_dashboard_counts_their_bytes()
    {
        var uploads = await SendAsync();
        var page = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900);
        await SignInAndOpenAsync(page);

        var files = page.Locator("#admin-transcript .message-attachments");
        await Expect(files.Locator("img.attachment-image")).ToHaveCountAsync(2);
        var photo = files.GetByRole(AriaRole.Img, new() { Name = "photo.png" });
        await Expect(photo).ToHaveAttributeAsync("src", new Regex($"/files/{uploads[0].Id()}/photo\\.png$"));
        await Expect(files.Locator("a:has(img[alt='photo.png'])")).ToHaveAttributeAsync("href", new Regex($"/files/{uploads[0].Id()}/photo\\.png$"));
        // Its link has expired: only the admin key opens it, which an <img> cannot send, so it is shown from memory.
        var old = files.GetByRole(AriaRole.Img, new() { Name = "old.png" });
        await Expect(old).ToHaveAttributeAsync("src", new Regex("^blob:"));
        await old.EvaluateAsync("(img) => img.decode()");
        Assert.True(await old.EvaluateAsync<bool>("(img) => img.naturalWidth > 0"));
        var chip = files.Locator(".attachment-download");
        await Expect(chip.Locator(".attachment-file-name")).ToHaveTextAsync("report.pdf");
        await Expect(chip.Locator(".attachment-type")).ToHaveTextAsync("application/pdf");
        await Expect(chip.Locator(".attachment-size")).ToHaveTextAsync($"{TestFiles.Pdf().Length} byte");
        await Expect(chip).ToHaveAttributeAsync("href", new Regex($"/files/{uploads[2].Id()}/report\\.pdf$"));
        await photo.EvaluateAsync("(img) => img.decode()");
        await Screenshots.SaveAsync(page, "admin-attachments.png", page.Locator(".card:has(#admin-transcript)"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export Markdown" }).ClickAsync());
        string markdown;
        await using (var stream = await download.CreateReadStreamAsync())
        using (var reader = new StreamReader(stream))
        {
            markdown = await reader.ReadToEndAsync();
        }
        Assert.Matches($@"\n\nHave a look\n\n- Attachment: photo\.png \(image/png, [\d.]+ (bytes|KB)\): http://127\.0\.0\.1:\d+/files/{uploads[0].Id()}/photo\.png\n"
            + $@"- Attachment: old\.png \(image/png, [\d.]+ (bytes|KB)\): http://127\.0\.0\.1:\d+/files/{uploads[1].Id()}/old\.png\n"
            + $@"- Attachment: report\.pdf \(application/pdf, {TestFiles.Pdf().Length} bytes\): http://127\.0\.0\.1:\d+/files/{uploads[2].Id()}/report\.pdf\n", markdown);

        var storage = page.Locator("#stats-storage-bytes");
        var bytes = uploads.Sum(u => u.GetProperty("size").GetInt64());
        await Expect(storage).ToHaveAttributeAsync("value", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(storage).ToHaveTextAsync(new Regex(@"^[\d.]+ (byte|kB)$"));
        await Expect(page.Locator("#stats-storage-files")).ToHaveTextAsync("3 files");
        await page.CloseAsync();

        // axe is injected as an inline script, which the page's policy refuses: this context bypasses it.
        var scanned = await Browser.NewPageAsync(app.BaseUrl, width: 1280, height: 900, bypassCsp: true);
        await SignInAndOpenAsync(scanned);
        await Expect(scanned.Locator("#admin-transcript img[alt='old.png']")).ToHaveAttributeAsync("src", new Regex("^blob:"));
        await AxeScan.AssertNoSeriousFindingsAsync(scanned, "a transcript with attachments and the dashboard's storage");
        await scanned.CloseAsync();
    }

    /// <summary>
    /// A message with a photo, an image whose link has expired (uploaded on a clock eight days back, past the 7-day
    /// lifetime) and a PDF; returns the uploads in order.
    /// </summary>
    private async Task<JsonElement[]> SendAsync()
    {
        using var user = app.Anonymous();
        var photo = await user.UploadedAsync(Session, TestFiles.Png(40, 30), "photo.png");
        app.Clock.Advance(TimeSpan.FromDays(-8));
        JsonElement old;
        try
        {
            old = await user.UploadedAsync(Session, TestFiles.Png(30, 20), "old.png");
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromDays(8));
        }
        var pdf = await user.UploadedAsync(Session, TestFiles.Pdf(), "report.pdf");
        await (await user.PostWithAttachmentsAsync(Session, "Have a look", photo.Id(), old.Id(), pdf.Id())).DataAsync();
        return [photo, old, pdf];
    }

    private async Task SignInAndOpenAsync(IPage page)
    {
        await page.GotoAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(BridgeApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await page.Locator($"tr[data-session-id='{Session}']").GetByRole(AriaRole.Button, new() { Name = $"Open {Session}" }).ClickAsync();
        await Expect(page.Locator("#admin-transcript .bubble-text")).ToHaveTextAsync(["Have a look"]);
    }
}
