using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using ChatBridge.Tests.Attachments;

namespace ChatBridge.Tests;

/// <summary>
/// The bridge as Broca's web_chat plugin uses it: every request carries Content-Type: application/json and
/// no body, inbox is polled with only limit and offset, outbox gets only session_id and response, and any
/// status but 200 is a failure.
/// </summary>
public sealed class BrocaClientTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_full_round_trip_as_broca_makes_it()
    {
        var user = app.Anonymous();
        var posted = await (await user.PostMessageAsync("session_broca_trip", "What is the capital of France?")).DataAsync();

        // Start-up probe, then the regular poll.
        var probe = await BrocaGetAsync($"/api/v1/?action=inbox&limit=1&offset=0");
        Assert.Equal(200, (int)probe.StatusCode);
        var poll = await (await BrocaGetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();

        var all = (await probe.DataAsync()).GetProperty("messages").EnumerateArray().Concat(poll.GetProperty("messages").EnumerateArray()).ToList();
        var message = all.Single(m => m.GetProperty("session_id").GetString() == "session_broca_trip");
        var id = message.GetProperty("id").GetInt64();
        var text = message.GetProperty("message").GetString();
        var uid = message.GetProperty("uid").GetString();
        var timestamp = message.GetProperty("timestamp").GetString()!;
        Assert.Equal(posted.GetProperty("message_id").GetInt64(), id);
        Assert.Equal("What is the capital of France?", text);
        Assert.Equal(posted.GetProperty("uid").GetString(), uid);
        // Python's datetime.fromisoformat after replacing Z with +00:00.
        Assert.True(DateTimeOffset.TryParseExact(timestamp.Replace("Z", "+00:00", StringComparison.Ordinal), "yyyy-MM-dd'T'HH:mm:ss.fffzzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out _));

        var reply = new HttpRequestMessage(HttpMethod.Post, "/api/v1/?action=outbox")
        {
            Content = new StringContent("""{"session_id": "session_broca_trip", "response": "Paris."}""", Encoding.UTF8, "application/json"),
        };
        reply.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BridgeApp.ApiKey);
        var replied = await app.Anonymous().SendAsync(reply);
        Assert.Equal(200, (int)replied.StatusCode);
        Assert.True((await replied.JsonAsync()).GetProperty("success").GetBoolean());

        var responses = await (await user.GetAsync("/api/v1/?action=responses&session_id=session_broca_trip")).DataAsync();
        Assert.Equal("Paris.", Assert.Single(responses.GetProperty("responses").EnumerateArray()).GetProperty("response").GetString());
    }

    [Fact]
    public async Task Attachments_reach_broca_as_lines_whose_urls_fetch_the_files()
    {
        const string session = "session_broca_files";
        var user = app.Anonymous();
        var photo = await user.UploadedAsync(session, TestFiles.Png(40, 30), "cat.png");
        var pdf = await user.UploadedAsync(session, TestFiles.Pdf(), "Q3 report.pdf");
        await (await user.PostWithAttachmentsAsync(session, "Two files", photo.Id(), pdf.Id())).DataAsync();

        var poll = await (await BrocaGetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();
        var text = poll.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("session_id").GetString() == session).GetProperty("message").GetString()!;

        // The plugin's reading: the text, then one line per attachment, an image's link alone, a file's after what it is.
        var lines = text.Split('\n');
        Assert.Equal("Two files", lines[0]);
        var image = Regex.Match(lines[1], @"^\[Image Attachment: (?<url>\S+)\]$");
        var file = Regex.Match(lines[2], @"^\[File Attachment: (?<name>.+) \((?<type>[^,]+), (?<size>[^)]+)\): (?<url>\S+)\]$");
        Assert.True(image.Success, lines[1]);
        Assert.True(file.Success, lines[2]);
        Assert.Equal(3, lines.Length);
        Assert.Equal("Q3 report.pdf", file.Groups["name"].Value);
        Assert.Equal("application/pdf", file.Groups["type"].Value);
        Assert.Equal($"{TestFiles.Pdf().Length} bytes", file.Groups["size"].Value);

        // Fetched as the plugin fetches them: a plain GET of the absolute URL, no key, no session.
        var fetchedImage = await app.Anonymous().GetAsync(new Uri(image.Groups["url"].Value));
        Assert.Equal(200, (int)fetchedImage.StatusCode);
        Assert.Equal("image/png", fetchedImage.Content.Headers.ContentType?.MediaType);
        Assert.Equal(photo.GetProperty("size").GetInt64(), (await fetchedImage.Content.ReadAsByteArrayAsync()).Length);
        var fetchedFile = await app.Anonymous().GetAsync(new Uri(file.Groups["url"].Value));
        Assert.Equal(200, (int)fetchedFile.StatusCode);
        Assert.Equal(TestFiles.Pdf(), await fetchedFile.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unset_key_sent_as_an_empty_bearer_is_a_401()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/?action=inbox&limit=50&offset=0")
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");

        var response = await app.Anonymous().SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.False((await response.JsonAsync()).GetProperty("success").GetBoolean());
    }

    private Task<HttpResponseMessage> BrocaGetAsync(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BridgeApp.ApiKey);
        return app.Anonymous().SendAsync(request);
    }
}
