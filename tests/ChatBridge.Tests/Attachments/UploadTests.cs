using System.Net.Http.Headers;
using System.Text;
using ChatBridge.Http;

namespace ChatBridge.Tests.Attachments;

/// <summary><c>upload</c> and <c>/files/</c>: what is accepted, by its bytes, and how it is served.</summary>
public sealed class UploadTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_png_is_stored_and_served_inline_from_its_link_with_the_safe_headers()
    {
        var png = TestFiles.Png(40, 30);

        var data = await app.Anonymous().UploadedAsync("session_up_png", png, "holiday photo.png");

        Assert.Matches("^[0-9a-f]{32}$", data.Id());
        Assert.Equal("holiday photo.png", data.GetProperty("name").GetString());
        Assert.Equal("image/png", data.GetProperty("type").GetString());
        Assert.Equal(40, data.GetProperty("width").GetInt32());
        Assert.Equal(30, data.GetProperty("height").GetInt32());
        Assert.EndsWith($"/files/{data.Id()}/holiday%20photo.png", data.GetProperty("url").GetString());
        var served = await app.Anonymous().GetAsync(data.PathOf());
        Assert.Equal(200, (int)served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(data.GetProperty("size").GetInt64(), (await served.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("sandbox; default-src 'none'", served.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("inline", served.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task A_png_named_pdf_is_a_png_and_is_named_so()
    {
        var data = await app.Anonymous().UploadedAsync("session_up_renamed", TestFiles.Png(), "invoice.pdf");

        Assert.Equal("image/png", data.GetProperty("type").GetString());
        Assert.Equal("invoice.png", data.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_pdf_is_offered_as_a_download_and_text_has_no_width()
    {
        var pdf = await app.Anonymous().UploadedAsync("session_up_pdf", TestFiles.Pdf(), "report.pdf");
        var csv = await app.Anonymous().UploadedAsync("session_up_pdf", "a,b\n1,2\n"u8.ToArray(), "numbers.csv");

        Assert.Equal("application/pdf", pdf.GetProperty("type").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pdf.GetProperty("width").ValueKind);
        var served = await app.Anonymous().GetAsync(pdf.PathOf());
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("report.pdf", served.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("text/csv", csv.GetProperty("type").GetString());
        var text = await app.Anonymous().GetAsync(csv.PathOf());
        Assert.Equal("text/csv; charset=utf-8", text.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment", text.Content.Headers.ContentDisposition?.DispositionType);
    }

    public static TheoryData<string, byte[], string> Refused => new()
    {
        { "HTML named .png", "<!doctype html><html><script>alert(document.cookie)</script></html>"u8.ToArray(), "cat.png" },
        { "SVG with a script", """<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"""u8.ToArray(), "logo.svg" },
        { "zip bomb", TestFiles.Zip(50 * 1024 * 1024), "archive.zip" },
        { "executable", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00], "setup.exe" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Other_types_are_refused_by_their_bytes(string what, byte[] content, string name)
    {
        var response = await app.Anonymous().UploadAsync("session_up_refused", content, name, "image/png");

        await response.AssertErrorAsync(415, Errors.UnsupportedFileType);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task A_jpeg_html_polyglot_is_stored_as_its_pixels_only()
    {
        const string payload = "<html><script>alert(document.domain)</script></html>";
        byte[] polyglot = [.. TestFiles.Jpeg(), .. Encoding.ASCII.GetBytes(payload)];

        var data = await app.Anonymous().UploadedAsync("session_up_polyglot", polyglot, "cat.html");

        Assert.Equal("image/jpeg", data.GetProperty("type").GetString());
        Assert.Equal("cat.jpg", data.GetProperty("name").GetString());
        var served = await (await app.Anonymous().GetAsync(data.PathOf())).Content.ReadAsByteArrayAsync();
        Assert.False(TestFiles.Contains(served, "<script>"));
    }

    [Fact]
    public async Task Exif_with_gps_is_removed_from_a_photo()
    {
        var photo = TestFiles.WithSegment(TestFiles.Jpeg(64, 48), 0xE1, TestFiles.Exif(orientation: 1));
        Assert.True(TestFiles.Contains(photo, TestFiles.CameraMake));
        Assert.Contains((byte)0xE1, TestFiles.JpegMarkers(photo));

        var data = await app.Anonymous().UploadedAsync("session_up_exif", photo, "IMG_0001.JPG");

        var served = await (await app.Anonymous().GetAsync(data.PathOf())).Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain((byte)0xE1, TestFiles.JpegMarkers(served));
        Assert.False(TestFiles.Contains(served, TestFiles.CameraMake));
        Assert.False(TestFiles.Contains(served, "Exif"));
    }

    [Fact]
    public async Task An_image_of_20000_by_20000_pixels_is_refused_before_it_is_decoded()
    {
        var huge = TestFiles.WithDeclaredSize(TestFiles.Png(), 20_000, 20_000);

        await (await app.Anonymous().UploadAsync("session_up_huge", huge, "huge.png")).AssertErrorAsync(413, Errors.ImageTooLarge);
    }

    [Fact]
    public async Task Faults_of_the_form_are_answered_with_the_envelope()
    {
        var client = app.Anonymous();
        var noFile = new MultipartFormDataContent { { new StringContent("session_up_faults"), "session_id" } };
        var twoFiles = new MultipartFormDataContent
        {
            { new StringContent("session_up_faults"), "session_id" },
            { new ByteArrayContent(TestFiles.Png()), "file", "a.png" },
            { new ByteArrayContent(TestFiles.Png()), "file", "b.png" },
        };
        var noSession = new MultipartFormDataContent { { new ByteArrayContent(TestFiles.Png()), "file", "a.png" } };

        await (await client.PostAsync("/api/v1/?action=upload", noFile)).AssertErrorAsync(400, Errors.MissingRequiredFields);
        await (await client.PostAsync("/api/v1/?action=upload", twoFiles)).AssertErrorAsync(400, Errors.OneFilePerUpload);
        await (await client.PostAsync("/api/v1/?action=upload", noSession)).AssertErrorAsync(400, Errors.MissingRequiredFields);
        await (await client.UploadAsync("not-a-session", TestFiles.Png(), "a.png")).AssertErrorAsync(400, Errors.InvalidSessionId);
        await (await client.UploadAsync("session_up_faults", [], "empty.txt")).AssertErrorAsync(400, Errors.EmptyFile);
        await (await client.PostRawAsync("upload", "{}")).AssertErrorAsync(400, Errors.InvalidRequestBody);
        var truncated = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\nsession_up", Encoding.UTF8);
        truncated.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        await (await client.PostAsync("/api/v1/?action=upload", truncated)).AssertErrorAsync(400, Errors.InvalidRequestBody);
    }

    [Fact]
    public async Task Unknown_and_malformed_links_are_404()
    {
        await (await app.Anonymous().GetAsync("/files/0123456789abcdef0123456789abcdef/x.png")).AssertErrorAsync(404, Errors.FileNotFound);
        await (await app.Anonymous().GetAsync("/files/..%2F..%2Fetc/passwd")).AssertErrorAsync(404, Errors.FileNotFound);
    }

    [Fact]
    public async Task Get_upload_tells_the_limits_before_any_upload()
    {
        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=upload")).DataAsync();

        Assert.Equal(10 * 1024 * 1024, data.GetProperty("max_file_bytes").GetInt64());
        Assert.Equal(5, data.GetProperty("max_files_per_message").GetInt32());
        Assert.Contains("image/png", data.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
        Assert.False(data.GetProperty("remote_images").GetBoolean());
    }
}
