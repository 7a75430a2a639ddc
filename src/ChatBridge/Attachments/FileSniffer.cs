using System.Buffers.Binary;

namespace ChatBridge.Attachments;

/// <summary>
/// Recognises the accepted types from the bytes alone: never from a file name or a declared type, which the client
/// chooses. Images are recognised by their signature (their decoder decides later whether the rest holds up); PDF by its
/// header; text by <see cref="TextRules"/>. Everything else is refused, including bytes that are two formats at once in
/// a way that survives serving: a PDF that is also a ZIP archive.
/// </summary>
internal static class FileSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> Gif87 => "GIF87a"u8;
    private static ReadOnlySpan<byte> Gif89 => "GIF89a"u8;
    private static ReadOnlySpan<byte> Riff => "RIFF"u8;
    private static ReadOnlySpan<byte> Webp => "WEBP"u8;
    private static ReadOnlySpan<byte> PdfHeader => "%PDF-"u8;
    private static ReadOnlySpan<byte> ZipEndOfDirectory => [(byte)'P', (byte)'K', 0x05, 0x06];

    /// <summary>The type of a whole file's bytes, or null when the bridge does not accept them.</summary>
    public static DetectedType? Detect(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(PngSignature))
        {
            return DetectedType.Png;
        }
        if (content.StartsWith(JpegSignature))
        {
            return DetectedType.Jpeg;
        }
        if (content.StartsWith(Gif87) || content.StartsWith(Gif89))
        {
            return DetectedType.Gif;
        }
        if (content.Length >= 12 && content.StartsWith(Riff) && content[8..12].SequenceEqual(Webp))
        {
            return DetectedType.Webp;
        }
        if (content.StartsWith(PdfHeader))
        {
            return IsZipArchive(content) ? null : DetectedType.Pdf;
        }
        return TextRules.Classify(content);
    }

    /// <summary>
    /// Whether a ZIP reader would open the bytes: it looks for the end-of-central-directory record backwards from the
    /// end, and finds one whose comment runs exactly to the last byte. Random bytes inside a PDF's compressed streams
    /// practically never satisfy both, so a PDF is not refused by chance.
    /// </summary>
    private static bool IsZipArchive(ReadOnlySpan<byte> content)
    {
        const int recordLength = 22;
        var earliest = Math.Max(0, content.Length - recordLength - ushort.MaxValue);
        for (var at = content.Length - recordLength; at >= earliest; at--)
        {
            if (content[at..].StartsWith(ZipEndOfDirectory)
                && BinaryPrimitives.ReadUInt16LittleEndian(content[(at + 20)..]) == content.Length - at - recordLength)
            {
                return true;
            }
        }
        return false;
    }
}
