using System.Text.Json;
using ChatBridge.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests.Attachments;

/// <summary>
/// Messages that carry uploads: stored together or not at all, shown in <c>history</c>, read by Broca as lines; links
/// that expire; clean-up that takes the bytes with the session.
/// </summary>
public sealed class AttachedMessageTests : IDisposable
{
    private const string PublicUrl = "https://chat.example.org/bridge";

    private readonly FakeTimeProvider _clock = TestClocks.Frozen();
    private readonly BridgeApp _app;

    public AttachedMessageTests()
    {
        _app = new BridgeApp
        {
            // A short lifetime: the frozen clock runs every timer of the host through each period it is moved past.
            Settings =
            {
                ["ChatBridge:PublicUrl"] = PublicUrl + "/", ["ChatBridge:Attachments:HourlyBytesPerClient"] = "200000",
                ["ChatBridge:Attachments:LinkLifetime"] = "00:02:00",
            },
            TestServices = services => services.AddSingleton<TimeProvider>(_clock),
        };
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Broca_reads_the_text_then_one_line_per_attachment_in_order()
    {
        var user = _app.Anonymous();
        var photo = await user.UploadedAsync("session_att_lines", TestFiles.Png(), "photo.png");
        var pdf = await user.UploadedAsync("session_att_lines", TestFiles.Pdf(), "Q3 report.pdf");

        await (await user.PostWithAttachmentsAsync("session_att_lines", "  What do you make of these?  ", photo.Id(), pdf.Id())).DataAsync();

        var message = Assert.Single((await (await _app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync()).GetProperty("messages").EnumerateArray());
        Assert.Equal(
            "What do you make of these?\n"
            + $"[Image Attachment: {PublicUrl}/files/{photo.Id()}/photo.png]\n"
            + $"[File Attachment: Q3 report.pdf (application/pdf, {TestFiles.Pdf().Length} bytes): {PublicUrl}/files/{pdf.Id()}/Q3%20report.pdf]",
            message.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_message_of_attachments_alone_may_leave_its_text_out()
    {
        var user = _app.Anonymous();
        var photo = await user.UploadedAsync("session_att_alone", TestFiles.Png(), "photo.png");

        await (await user.PostWithAttachmentsAsync("session_att_alone", null, photo.Id())).DataAsync();

        var message = Assert.Single((await (await _app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync()).GetProperty("messages").EnumerateArray());
        Assert.Equal($"[Image Attachment: {PublicUrl}/files/{photo.Id()}/photo.png]", message.GetProperty("message").GetString());
    }

    [Fact]
    public async Task History_gives_each_message_its_attachments_as_objects()
    {
        var user = _app.Anonymous();
        var photo = await user.UploadedAsync("session_att_history", TestFiles.Png(40, 30), "photo.png");
        await (await user.PostWithAttachmentsAsync("session_att_history", "look", photo.Id())).DataAsync();
        await (await user.PostMessageAsync("session_att_history", "plain")).DataAsync();

        var messages = (await (await user.GetAsync("/api/v1/?action=history&session_id=session_att_history")).DataAsync()).GetProperty("messages");

        var attachment = Assert.Single(messages[0].GetProperty("attachments").EnumerateArray());
        Assert.Equal(photo.Id(), attachment.GetProperty("id").GetString());
        Assert.Equal("photo.png", attachment.GetProperty("name").GetString());
        Assert.Equal("image/png", attachment.GetProperty("type").GetString());
        Assert.Equal(40, attachment.GetProperty("width").GetInt32());
        Assert.Equal(photo.GetProperty("url").GetString(), attachment.GetProperty("url").GetString());
        Assert.Empty(messages[1].GetProperty("attachments").EnumerateArray());
        var transcript = await (await _app.Admin().GetAsync("/api/v1/?action=session_messages&session_id=session_att_history")).DataAsync();
        Assert.Single(transcript.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray());
    }

    [Fact]
    public async Task Attachments_of_another_session_or_already_sent_store_nothing()
    {
        var user = _app.Anonymous();
        var mine = await user.UploadedAsync("session_att_mine", TestFiles.Png(), "a.png");
        var theirs = await user.UploadedAsync("session_att_theirs", TestFiles.Png(), "b.png");

        await (await user.PostWithAttachmentsAsync("session_att_mine", "both", mine.Id(), theirs.Id())).AssertErrorAsync(400, Errors.InvalidAttachments);
        await (await user.PostWithAttachmentsAsync("session_att_mine", "unknown", "0123456789abcdef0123456789abcdef")).AssertErrorAsync(400, Errors.InvalidAttachments);
        Assert.Equal(0L, _app.Count("web_chat_messages"));
        await (await user.PostWithAttachmentsAsync("session_att_mine", "mine", mine.Id())).DataAsync();
        await (await user.PostWithAttachmentsAsync("session_att_mine", "again", mine.Id())).AssertErrorAsync(400, Errors.InvalidAttachments);
        Assert.Equal(1L, _app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task The_attachments_field_is_checked_before_anything_is_stored()
    {
        var user = _app.Anonymous();
        var six = Enumerable.Range(0, 6).Select(i => $"{i:x32}").ToArray();

        await (await user.PostWithAttachmentsAsync("session_att_field", "x", six)).AssertErrorAsync(400, Errors.TooManyAttachments);
        await (await user.PostJsonAsync("messages", new { session_id = "session_att_field", message = "x", attachments = "abc" })).AssertErrorAsync(400, Errors.InvalidAttachments);
        await (await user.PostJsonAsync("messages", new { session_id = "session_att_field", message = "x", attachments = new[] { 1 } })).AssertErrorAsync(400, Errors.InvalidAttachments);
        await (await user.PostWithAttachmentsAsync("session_att_field", "x", six[0], six[0])).AssertErrorAsync(400, Errors.InvalidAttachments);
        await (await user.PostJsonAsync("messages", new { session_id = "session_att_field", message = "", attachments = Array.Empty<string>() })).AssertErrorAsync(400, Errors.InvalidMessage);
    }

    [Fact]
    public async Task A_link_expires_after_its_lifetime_but_the_owner_and_admins_still_see_the_file()
    {
        var user = _app.Anonymous();
        var photo = await user.UploadedAsync("session_att_expiry", TestFiles.Png(), "photo.png");
        var path = photo.PathOf().Replace("/bridge", "", StringComparison.Ordinal);
        Assert.Equal(200, (int)(await user.GetAsync(path)).StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(200, (int)(await user.GetAsync(path)).StatusCode);
        _clock.Advance(TimeSpan.FromSeconds(1));

        await (await user.GetAsync(path)).AssertErrorAsync(404, Errors.FileNotFound);
        var owner = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Session-Id", "session_att_expiry" } } };
        Assert.Equal(200, (int)(await user.SendAsync(owner)).StatusCode);
        var stranger = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Session-Id", "session_att_other" } } };
        Assert.Equal(404, (int)(await user.SendAsync(stranger)).StatusCode);
        Assert.Equal(200, (int)(await _app.Admin().GetAsync(path)).StatusCode);
        Assert.Equal(404, (int)(await _app.Broca().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_clients_hourly_byte_budget_is_told_with_when_it_has_room_again()
    {
        var user = _app.Anonymous();
        var text = Enumerable.Repeat((byte)'a', 90_000).ToArray();
        await user.UploadedAsync("session_att_budget", text, "one.txt");
        _clock.Advance(TimeSpan.FromMinutes(10));
        await user.UploadedAsync("session_att_budget", text, "two.txt");

        var refused = await (await user.UploadAsync("session_att_budget", text, "three.txt")).AssertErrorAsync(429, Errors.UploadBudgetSpent);

        Assert.Equal(50 * 60, refused.GetProperty("retry_after").GetInt32());
        _clock.Advance(TimeSpan.FromMinutes(50) + TimeSpan.FromSeconds(1));
        await user.UploadedAsync("session_att_budget", text, "three.txt");
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_however_it_is_sent()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Attachments:MaxFileBytes"] = "1000" } };
        var user = app.Anonymous();

        await (await user.UploadAsync("session_att_limit", Enumerable.Repeat((byte)'a', 1001).ToArray(), "big.txt")).AssertErrorAsync(413, Errors.FileTooLarge);
        await (await user.UploadAsync("session_att_limit", Enumerable.Repeat((byte)'a', 200_000).ToArray(), "huge.txt")).AssertErrorAsync(413, Errors.FileTooLarge);
        await user.UploadedAsync("session_att_limit", Enumerable.Repeat((byte)'a', 1000).ToArray(), "fits.txt");
    }

    [Fact]
    public async Task Cleanup_and_clear_data_remove_the_bytes_with_the_sessions()
    {
        var user = _app.Anonymous();
        var sent = await user.UploadedAsync("session_att_clean", TestFiles.Png(), "sent.png");
        await user.UploadedAsync("session_att_unsent", TestFiles.Png(), "unsent.png");
        await (await user.PostWithAttachmentsAsync("session_att_clean", "bye", sent.Id())).DataAsync();
        var claimed = await (await _app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await _app.Broca().PostReplyAsync("session_att_clean", "ok")).DataAsync();
        Assert.Single(claimed.GetProperty("messages").EnumerateArray());
        await user.UploadedAsync("session_att_keep", TestFiles.Png(), "fresh.png");
        _app.Age("session_att_clean", TimeSpan.FromDays(30));
        // Past the session timeout (30 minutes): the first upload was never sent and is given up on.
        _clock.Advance(TimeSpan.FromMinutes(31));
        await user.UploadedAsync("session_att_keep", TestFiles.Png(), "fresh.png");

        await (await _app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal(["fresh.png"], Names());
        await (await _app.Admin().PostJsonAsync("clear_data", new { })).DataAsync();
        Assert.Equal(0L, _app.Count("chatbridge_attachments"));
    }

    private List<string> Names()
    {
        using var db = _app.OpenDatabase();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT name FROM chatbridge_attachments ORDER BY id";
        using var reader = command.ExecuteReader();
        List<string> names = [];
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    [Fact]
    public async Task Stats_tell_the_storage_attachments_take()
    {
        var uploaded = await _app.Anonymous().UploadedAsync("session_att_stats", TestFiles.Png(), "a.png");

        var stats = await (await _app.Admin().GetAsync("/api/v1/?action=stats")).DataAsync();

        Assert.Equal(1, stats.GetProperty("attachments").GetProperty("files").GetInt64());
        Assert.Equal(uploaded.GetProperty("size").GetInt64(), stats.GetProperty("attachments").GetProperty("bytes").GetInt64());
        Assert.Equal(JsonValueKind.Object, stats.GetProperty("attachments").ValueKind);
    }
}
