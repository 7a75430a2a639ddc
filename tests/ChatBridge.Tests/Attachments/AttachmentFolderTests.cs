using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests.Attachments;

/// <summary>
/// <c>ChatBridge:Attachments:Folder</c>: the bytes kept as files named by their id instead of in the database, served
/// from there, and removed with their sessions by clean-up and all at once by <c>clear_data</c>.
/// </summary>
public sealed class AttachmentFolderTests : IDisposable
{
    private readonly FakeTimeProvider _clock = TestClocks.Frozen();
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-files-").FullName;
    private readonly BridgeApp _app;

    public AttachmentFolderTests()
    {
        _app = new BridgeApp
        {
            Settings = { ["ChatBridge:Attachments:Folder"] = _folder },
            TestServices = services => services.AddSingleton<TimeProvider>(_clock),
        };
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Files_are_stored_in_the_folder_by_id_not_in_the_database_and_served_from_it()
    {
        var user = _app.Anonymous();
        var pdf = await user.UploadedAsync("session_folder_store", TestFiles.Pdf(), "report.pdf");
        var photo = await user.UploadedAsync("session_folder_store", TestFiles.Png(40, 30), "photo.png");

        Assert.Equal(new[] { photo.Id(), pdf.Id() }.Order(StringComparer.Ordinal), Files());
        Assert.Equal(TestFiles.Pdf(), await File.ReadAllBytesAsync(Path.Combine(_folder, pdf.Id())));
        Assert.Equal(2L, _app.Count("chatbridge_attachments"));
        Assert.Equal(0L, Convert.ToInt64(_app.Scalar("SELECT COUNT(*) FROM chatbridge_attachments WHERE content IS NOT NULL"), CultureInfo.InvariantCulture));

        var served = await user.GetAsync(pdf.PathOf());
        Assert.Equal(200, (int)served.StatusCode);
        Assert.Equal(TestFiles.Pdf(), await served.Content.ReadAsByteArrayAsync());
        var image = await user.GetAsync(photo.PathOf());
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_folder, photo.Id())), await image.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Cleanup_removes_the_files_of_deleted_sessions_and_unsent_uploads_and_clear_data_removes_every_file()
    {
        var user = _app.Anonymous();
        var sent = await user.UploadedAsync("session_folder_clean", TestFiles.Png(), "sent.png");
        var unsent = await user.UploadedAsync("session_folder_unsent", TestFiles.Png(), "unsent.png");
        await (await user.PostWithAttachmentsAsync("session_folder_clean", "bye", sent.Id())).DataAsync();
        await (await _app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await _app.Broca().PostReplyAsync("session_folder_clean", "ok")).DataAsync();
        _app.Age("session_folder_clean", TimeSpan.FromDays(30));
        // Past the session timeout (30 minutes): the upload never sent is given up on.
        _clock.Advance(TimeSpan.FromMinutes(31));
        var fresh = await user.UploadedAsync("session_folder_keep", TestFiles.Png(), "fresh.png");
        Assert.Equal(3, Files().Count);

        await (await _app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();

        Assert.Equal([fresh.Id()], Files());
        Assert.Equal(404, (int)(await user.GetAsync(sent.PathOf())).StatusCode);
        Assert.Equal(404, (int)(await user.GetAsync(unsent.PathOf())).StatusCode);
        Assert.Equal(200, (int)(await user.GetAsync(fresh.PathOf())).StatusCode);

        await (await _app.Admin().PostJsonAsync("clear_data", new { })).DataAsync();

        Assert.Empty(Files());
    }

    private List<string> Files() => [.. Directory.EnumerateFiles(_folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
}
