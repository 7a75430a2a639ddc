namespace ChatBridge.Attachments;

/// <summary>
/// Decides what of an upload may be stored: reads at most the caller's byte limit, recognises the type from the bytes,
/// rebuilds images from their pixels and text as UTF-8, and names the result safely. One instance serves the whole
/// server: it bounds how many images are decoded at once, each decode holding up to two RGBA copies of
/// <see cref="AttachmentOptions.MaxPixels"/>.
/// </summary>
internal sealed class AttachmentInspector : IDisposable
{
    private readonly ImageSanitizer _images;
    private readonly SemaphoreSlim _decodes;

    public AttachmentInspector(AttachmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _images = new ImageSanitizer(options);
        _decodes = new SemaphoreSlim(options.MaxConcurrentDecodes);
    }

    /// <summary>
    /// Reads <paramref name="content"/> to its end, or until it proves longer than <paramref name="maxBytes"/>, and
    /// returns what to store or why not. <paramref name="clientFileName"/> only names the result; it never decides the type.
    /// </summary>
    public async Task<InspectedFile> InspectAsync(Stream content, string? clientFileName, long maxBytes, CancellationToken ct)
    {
        if (await BoundedRead.ReadAsync(content, maxBytes, ct) is not { } bytes)
        {
            return new InspectedFile.Refused(RefusalReason.TooLarge, $"more than {maxBytes} bytes");
        }
        return await InspectAsync(bytes, clientFileName, ct);
    }

    /// <summary>The same for bytes already read whole, which the caller has bounded.</summary>
    public async Task<InspectedFile> InspectAsync(ReadOnlyMemory<byte> bytes, string? clientFileName, CancellationToken ct)
    {
        if (bytes.IsEmpty)
        {
            return new InspectedFile.Refused(RefusalReason.Empty, "no bytes");
        }
        if (FileSniffer.Detect(bytes.Span) is not { } type)
        {
            return new InspectedFile.Refused(RefusalReason.UnsupportedType, "not an image, PDF or text the bridge accepts");
        }
        if (type.Kind == AttachmentKind.Image)
        {
            return await SanitizeImageAsync(bytes, type, clientFileName, ct);
        }
        var stored = type == DetectedType.Pdf ? bytes : AsUtf8(bytes);
        return new InspectedFile.Accepted(stored, type, SafeFileName.For(clientFileName, type), Size: null);
    }

    public void Dispose() => _decodes.Dispose();

    private async Task<InspectedFile> SanitizeImageAsync(ReadOnlyMemory<byte> bytes, DetectedType type, string? clientFileName, CancellationToken ct)
    {
        await _decodes.WaitAsync(ct);
        SanitizedImage image;
        try
        {
            image = _images.Sanitize(bytes.Span, type);
        }
        finally
        {
            _decodes.Release();
        }
        return image switch
        {
            SanitizedImage.Encoded encoded => new InspectedFile.Accepted(
                encoded.Content, encoded.Type, SafeFileName.For(clientFileName, encoded.Type), new ImageSize(encoded.Width, encoded.Height)),
            SanitizedImage.Refused refused => new InspectedFile.Refused(refused.Reason, refused.Detail),
            _ => throw new InvalidOperationException($"unknown result {image}"),
        };
    }

    /// <summary>Text as stored: UTF-8 as it came; UTF-16 re-encoded as UTF-8, its byte order mark kept as UTF-8's so
    /// spreadsheet programs still see Unicode.</summary>
    private static ReadOnlyMemory<byte> AsUtf8(ReadOnlyMemory<byte> bytes) =>
        !TextRules.IsUtf16(bytes.Span) ? bytes
        : TextRules.ToUtf8(bytes.Span) ?? throw new InvalidOperationException("text that decoded once no longer decodes");
}
