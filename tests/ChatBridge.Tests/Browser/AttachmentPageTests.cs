using System.Text.RegularExpressions;
using ChatBridge.Tests.Attachments;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

/// <summary>Attaching files on the chat page: picked, pasted, dropped; checked first; uploaded with progress; sent.</summary>
[Collection(BrowserCollection.Name)]
[Trait(StorageJourney.Trait, StorageJourney.Yes)]
public sealed class AttachmentPageTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private static string Base64Png => Convert.ToBase64String(TestFiles.Png(40, 30));

    [Fact]
    public async Task A_picked_image_uploads_with_progress_shows_as_a_thumbnail_and_reaches_broca_as_a_line()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var session = await chat.SessionIdAsync();

        await chat.Page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "cat.png", MimeType = "image/png", Buffer = TestFiles.Png(40, 30) });

        var chip = chat.Page.Locator("#attachment-tray .attachment-chip");
        await Expect(chip.Locator("img.attachment-thumb")).ToHaveAttributeAsync("alt", "cat.png");
        await Expect(chip.Locator("progress")).ToHaveCountAsync(1);
        await Expect(chip).ToHaveAttributeAsync("data-state", "uploaded");
        await Expect(chip.Locator("progress")).ToHaveAttributeAsync("value", "100");
        await chat.SendAsync("Look at this");

        var mine = chat.UserMessages.Last;
        await Expect(mine.Locator("img.attachment-image")).ToHaveAttributeAsync("alt", "cat.png");
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        await Expect(chat.Page.Locator("#attachment-tray")).ToBeHiddenAsync();
        using var broca = app.Broca();
        var inbox = await (await broca.GetAsync("/api/v1/?action=inbox")).DataAsync();
        var text = inbox.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("session_id").GetString() == session).GetProperty("message").GetString();
        Assert.StartsWith("Look at this\n[Image Attachment: http://127.0.0.1:", text);
        Assert.EndsWith("/cat.png]", text);
    }

    [Fact]
    public async Task While_a_file_is_still_uploading_the_message_waits_for_it_then_carries_the_photo_and_the_pdf_together()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var release = new TaskCompletionSource();
        // The PDF's upload is held at the browser's edge until the test lets it go: a slow upload, caught in the act.
        await chat.Page.RouteAsync(new Regex(@"action=upload"), async route =>
        {
            if (route.Request.Method == "POST" && TestFiles.Contains(route.Request.PostDataBuffer ?? [], "%PDF-"))
            {
                await release.Task;
            }
            await route.ContinueAsync();
        });

        await chat.Page.Locator("#file-input").SetInputFilesAsync(
        [
            new FilePayload { Name = "whiteboard.png", MimeType = "image/png", Buffer = TestFiles.Png(400, 300) },
            new FilePayload { Name = "Q3 report.pdf", MimeType = "application/pdf", Buffer = TestFiles.Pdf() },
        ]);

        var tray = chat.Page.Locator("#attachment-tray");
        await Expect(tray.Locator(".attachment-chip:has(img[alt='whiteboard.png'])")).ToHaveAttributeAsync("data-state", "uploaded");
        var pdf = tray.Locator(".attachment-chip:has-text('Q3 report.pdf')");
        await Expect(pdf.Locator("progress")).ToBeVisibleAsync();
        await Expect(pdf).Not.ToHaveAttributeAsync("data-state", "uploaded");
        await chat.Input.FillAsync("Notes from today's meeting");
        await Expect(chat.SendButton).ToBeDisabledAsync();
        await chat.Input.PressAsync("Enter");
        await Expect(chat.Error).ToHaveTextAsync("Wait until the files have uploaded.");
        await Expect(chat.UserMessages).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(chat.Page, "chat-attach-tray.png");

        release.SetResult();
        await Expect(pdf).ToHaveAttributeAsync("data-state", "uploaded");
        await Expect(chat.SendButton).ToBeEnabledAsync();
        await chat.Input.PressAsync("Enter");

        var mine = chat.UserMessages.Last;
        await Expect(mine.Locator(".bubble-text")).ToHaveTextAsync("Notes from today's meeting");
        await Expect(mine.Locator("img.attachment-image")).ToHaveAttributeAsync("alt", "whiteboard.png");
        await Expect(mine.Locator(".attachment-download")).ToContainTextAsync("Q3 report.pdf");
        await Expect(chat.StatusOf(mine)).ToHaveTextAsync("Sent");
        await mine.Locator("img.attachment-image").EvaluateAsync("(img) => img.decode()");
        await Screenshots.SaveAsync(chat.Page, "chat-attachments-sent.png");
    }

    [Fact]
    public async Task An_unsupported_or_oversized_file_is_refused_before_any_upload()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        var uploads = 0;
        chat.Page.Request += (_, request) => uploads += request.Url.Contains("action=upload", StringComparison.Ordinal) && request.Method == "POST" ? 1 : 0;

        await chat.Page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "page.html", MimeType = "text/html", Buffer = "<p>hi</p>"u8.ToArray() });

        await Expect(chat.Error).ToContainTextAsync("page.html can't be attached");
        await Expect(chat.Page.Locator("#attach-hint")).ToContainTextAsync("Up to 5 files");
        // Made in the page: eleven megabytes through the browser protocol would take longer than the check itself.
        await chat.Page.Locator("#file-input").EvaluateAsync("""
            (input) => {
              const data = new DataTransfer();
              data.items.add(new File([new Uint8Array(11 * 1024 * 1024)], 'big.txt', { type: 'text/plain' }));
              input.files = data.files;
              input.dispatchEvent(new Event('change', { bubbles: true }));
            }
            """);
        await Expect(chat.Error).ToContainTextAsync("big.txt is larger than");
        Assert.Equal(0, uploads);
    }

    [Fact]
    public async Task A_pasted_and_a_dropped_image_both_join_the_message_and_one_can_be_removed()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);

        await chat.Input.EvaluateAsync("""
            (input, base64) => {
              const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
              input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
            }
            """, Base64Png);
        await chat.Page.Locator("body").EvaluateAsync("""
            (body, base64) => {
              const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
              body.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
              body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
            }
            """, Base64Png);

        var chips = chat.Page.Locator("#attachment-tray .attachment-chip[data-state='uploaded']");
        await Expect(chips).ToHaveCountAsync(2);
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Remove pasted.png" }).ClickAsync();
        await Expect(chat.Page.Locator("#attachment-tray .attachment-chip")).ToHaveCountAsync(1);
        await chat.Page.Locator("#send-button").ClickAsync();

        await Expect(chat.UserMessages.Last.Locator("img.attachment-image")).ToHaveAttributeAsync("alt", "dropped.png");
    }

    [Fact]
    public async Task At_phone_width_the_tray_and_sent_files_fit_and_axe_finds_nothing_serious()
    {
        // axe is injected as an inline script, which the page's policy refuses: this context bypasses it.
        var chat = new ChatPage(await Browser.NewPageAsync(app.BaseUrl, width: 375, height: 700, bypassCsp: true));
        await chat.GotoAsync();

        await chat.Page.Locator("#file-input").SetInputFilesAsync(
        [
            new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = TestFiles.Png(400, 300) },
            new FilePayload { Name = "a rather long quarterly report name.pdf", MimeType = "application/pdf", Buffer = TestFiles.Pdf() },
        ]);
        await Expect(chat.Page.Locator("#attachment-tray .attachment-chip[data-state='uploaded']")).ToHaveCountAsync(2);
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "the tray at phone width");
        await chat.Page.Locator("#send-button").ClickAsync();
        await Expect(chat.UserMessages.Last.Locator(".attachment-download")).ToContainTextAsync("quarterly");

        var overflow = await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow);
        await AxeScan.AssertNoSeriousFindingsAsync(chat.Page, "a sent message with files at phone width");
    }
}
