using System.Text;
using ChatBridge.Attachments;

namespace ChatBridge.Tests.Attachments;

public sealed class AttachmentInspectorTests
{
    [Fact]
    public async Task An_HTML_file_named_png_is_refused()
    {
        var html = "<html><body><img src=x onerror=alert(1)></body></html>"u8.ToArray();

        Assert.Equal(RefusalReason.UnsupportedType, await Inspect.Refusal(html, "photo.png"));
    }

    [Fact]
    public async Task An_SVG_with_a_script_named_png_is_refused()
    {
        var svg = """<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"""u8.ToArray();

        Assert.Equal(RefusalReason.UnsupportedType, await Inspect.Refusal(svg, "logo.png"));
    }

    [Fact]
    public async Task A_zip_archive_is_refused_whatever_its_name()
    {
        Assert.Equal(RefusalReason.UnsupportedType, await Inspect.Refusal(TestFiles.Zip(100), "report.pdf"));
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_as_an_unsupported_type_without_being_inflated()
    {
        var bomb = TestFiles.Zip(10 * 1024 * 1024);
        Assert.True(bomb.Length < 100 * 1024, $"the archive is {bomb.Length} bytes");

        Assert.Equal(RefusalReason.UnsupportedType, await Inspect.Refusal(bomb, "photos.zip"));
    }

    [Fact]
    public async Task A_PDF_is_stored_as_it_came()
    {
        var pdf = TestFiles.Pdf();

        var accepted = await Inspect.Accepted(pdf, "Quarterly report.PDF");

        Assert.Equal(DetectedType.Pdf, accepted.Type);
        Assert.Equal("application/pdf", accepted.Type.ContentType);
        Assert.Equal(pdf, accepted.Content.ToArray());
        Assert.Equal(pdf.Length, accepted.Length);
        Assert.Equal("Quarterly report.pdf", accepted.Name.DisplayName);
        Assert.Null(accepted.Size);
    }

    [Fact]
    public async Task UTF8_text_is_stored_as_it_came_and_served_as_UTF8()
    {
        var text = "Grüße aus Köln 🎉\n"u8.ToArray();

        var accepted = await Inspect.Accepted(text, "notes.txt");

        Assert.Equal(text, accepted.Content.ToArray());
        Assert.Equal("text/plain; charset=utf-8", accepted.Type.ContentType);
        Assert.Equal("notes.txt", accepted.Name.DisplayName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UTF16_text_with_a_BOM_is_stored_as_UTF8_with_a_BOM(bool bigEndian)
    {
        const string text = "name,city\nZoë,Zürich\nRenée,Montréal\n";
        var encoding = bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode;
        byte[] utf16 = [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];

        var accepted = await Inspect.Accepted(utf16, "people.csv");

        Assert.Equal(DetectedType.Csv, accepted.Type);
        Assert.Equal([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)], accepted.Content.ToArray());
        Assert.Equal("people.csv", accepted.Name.DisplayName);
    }

    [Fact]
    public async Task CSV_is_named_csv_and_plain_text_txt_whatever_the_client_said()
    {
        var csv = await Inspect.Accepted("a,b\n1,2\n"u8.ToArray(), "table.txt");
        var text = await Inspect.Accepted("a, b and c\n"u8.ToArray(), "table.csv");

        Assert.Equal(("text/csv", "table.csv"), (csv.Type.MediaType, csv.Name.DisplayName));
        Assert.Equal(("text/plain", "table.txt"), (text.Type.MediaType, text.Name.DisplayName));
    }

    [Fact]
    public async Task An_empty_upload_is_refused()
    {
        Assert.Equal(RefusalReason.Empty, await Inspect.Refusal([]));
    }

    [Fact]
    public async Task A_stream_longer_than_the_limit_is_refused_after_reading_one_byte_past_it()
    {
        using var inspector = new AttachmentInspector(new AttachmentOptions());
        using var endless = new EndlessStream();

        var result = await inspector.InspectAsync(endless, "big.txt", maxBytes: 100_000, CancellationToken.None);

        Assert.Equal(RefusalReason.TooLarge, Assert.IsType<InspectedFile.Refused>(result).Reason);
        Assert.Equal(100_001, endless.BytesRead);
    }

    [Fact]
    public async Task A_seekable_stream_longer_than_the_limit_is_refused_without_reading_it()
    {
        using var inspector = new AttachmentInspector(new AttachmentOptions());
        using var stream = new CountingStream(new byte[1_000]);

        var result = await inspector.InspectAsync(stream, null, maxBytes: 999, CancellationToken.None);

        Assert.Equal(RefusalReason.TooLarge, Assert.IsType<InspectedFile.Refused>(result).Reason);
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public async Task A_stream_of_exactly_the_limit_is_read_whole()
    {
        using var inspector = new AttachmentInspector(new AttachmentOptions());
        var text = Encoding.ASCII.GetBytes(new string('x', 200_000));
        using var stream = new TrickleStream(text);

        var result = await inspector.InspectAsync(stream, null, maxBytes: text.Length, CancellationToken.None);

        Assert.Equal(text, Assert.IsType<InspectedFile.Accepted>(result).Content.ToArray());
    }

    [Fact]
    public async Task Cancellation_stops_the_read()
    {
        using var inspector = new AttachmentInspector(new AttachmentOptions());
        using var endless = new EndlessStream();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inspector.InspectAsync(endless, null, 1_000, cancelled.Token));
    }

    /// <summary>A network upload that never ends: not seekable, always another chunk of text.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            buffer.Fill((byte)'a');
            BytesRead += buffer.Length;
            return buffer.Length;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A non-seekable stream that hands out at most 7 bytes per read, as a slow connection might.</summary>
    private sealed class TrickleStream(byte[] content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 7), content.Length - _position);
            content.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class CountingStream(byte[] content) : MemoryStream(content)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = base.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = base.Read(buffer.Span);
            BytesRead += n;
            return ValueTask.FromResult(n);
        }
    }
}
