using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ChatBridge.Attachments;

/// <summary>
/// When bytes are plain text, and when that text is CSV. Text is valid UTF-8 (a UTF-8 byte order mark allowed), or
/// UTF-16 that announces itself with a byte order mark; nothing else is guessed, so Latin-1 or BOM-less UTF-16 is not
/// text. Control characters other than tab, line feed, vertical tab, form feed, carriage return and escape mark the
/// bytes as binary, and so does NUL. A markup document (the first thing after white space is a tag, a comment, a
/// doctype or an XML declaration) is refused: that is how HTML, SVG and XML begin. UTF-8 is checked where it lies,
/// never decoded into a string: a large upload costs no copy twice its size.
/// </summary>
internal static class TextRules
{
    private static readonly UnicodeEncoding Utf16Le = new(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding Utf16Be = new(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The bytes that may begin a control character in UTF-8: C0 controls but the six allowed, DEL, and the lead byte
    /// of U+0080–U+009F (C1 controls, and other characters that share their lead byte).
    /// </summary>
    private static readonly SearchValues<byte> ControlStarts = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b).Except("\t\n\v\f\r\u001B"u8.ToArray()), 0x7F, 0xC2]);

    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Plain text or CSV, or null when the bytes are not text.</summary>
    public static DetectedType? Classify(ReadOnlySpan<byte> content)
    {
        if (IsUtf16(content))
        {
            return ToUtf8(content) is { } utf8 ? ClassifyUtf8(utf8.AsSpan(Utf8Bom.Length)) : null;
        }
        var text = content.StartsWith(Utf8Bom) ? content[Utf8Bom.Length..] : content;
        return Utf8.IsValid(text) ? ClassifyUtf8(text) : null;
    }

    /// <summary>Whether the bytes begin with a UTF-16 byte order mark, little- or big-endian.</summary>
    public static bool IsUtf16(ReadOnlySpan<byte> content) =>
        content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);

    /// <summary>
    /// UTF-16 with its byte order mark as UTF-8 with UTF-8's (so spreadsheet programs still see Unicode), or null
    /// when it is not valid UTF-16.
    /// </summary>
    public static byte[]? ToUtf8(ReadOnlySpan<byte> utf16)
    {
        if (utf16.Length % 2 != 0)
        {
            return null;
        }
        string text;
        try
        {
            text = (utf16[0] == 0xFE ? Utf16Be : Utf16Le).GetString(utf16[2..]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var utf8 = new byte[Utf8Bom.Length + Encoding.UTF8.GetByteCount(text)];
        Utf8Bom.CopyTo(utf8);
        Encoding.UTF8.GetBytes(text, utf8.AsSpan(Utf8Bom.Length));
        return utf8;
    }

    private static DetectedType? ClassifyUtf8(ReadOnlySpan<byte> text) =>
        !HasOnlyTextCharacters(text) || IsMarkup(text) ? null
        : IsCsv(text) ? DetectedType.Csv
        : DetectedType.PlainText;

    /// <param name="text">Valid UTF-8, so a 0xC2 is always a character's lead byte.</param>
    private static bool HasOnlyTextCharacters(ReadOnlySpan<byte> text)
    {
        for (var at = text.IndexOfAny(ControlStarts); at >= 0; at = NextAfter(text, at))
        {
            if (text[at] != 0xC2 || text[at + 1] <= 0x9F)
            {
                return false;
            }
        }
        return true;

        static int NextAfter(ReadOnlySpan<byte> text, int at) => text[(at + 1)..].IndexOfAny(ControlStarts) is var next and >= 0 ? at + 1 + next : -1;
    }

    private static bool IsMarkup(ReadOnlySpan<byte> text)
    {
        while (Rune.DecodeFromUtf8(text, out var rune, out var length) == OperationStatus.Done && Rune.IsWhiteSpace(rune))
        {
            text = text[length..];
        }
        return text.Length >= 2 && text[0] == '<' && (char.IsAsciiLetter((char)text[1]) || text[1] is (byte)'!' or (byte)'?' or (byte)'/');
    }

    /// <summary>
    /// Whether text is CSV as RFC 4180 writes it, with comma or semicolon (spreadsheets in many locales) between fields:
    /// at least two records, every record with the same number of fields and at least two, quotes only around whole
    /// fields and always closed. Anything looser stays plain text, which is served just as safely. Read as UTF-8 bytes:
    /// the quote, the delimiters and the line breaks are ASCII, which no byte of another character can be.
    /// </summary>
    private static bool IsCsv(ReadOnlySpan<byte> text) => HasConsistentRecords(text, (byte)',') || HasConsistentRecords(text, (byte)';');

    private static bool HasConsistentRecords(ReadOnlySpan<byte> text, byte delimiter)
    {
        var span = text.TrimEnd("\r\n"u8);
        var fieldsPerRecord = -1;
        var records = 0;
        var fields = 1;
        var i = 0;
        while (i <= span.Length)
        {
            // At the start of a field.
            if (i < span.Length && span[i] == '"')
            {
                i++;
                while (true)
                {
                    var quote = span[i..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        return false;
                    }
                    i += quote + 1;
                    if (i < span.Length && span[i] == '"')
                    {
                        i++;
                        continue;
                    }
                    break;
                }
            }
            else
            {
                var end = span[i..].IndexOfAny(delimiter, (byte)'\r', (byte)'\n');
                var field = end < 0 ? span[i..] : span[i..(i + end)];
                if (field.Contains((byte)'"'))
                {
                    return false;
                }
                i += field.Length;
            }

            // After a field: a delimiter, a line break or the end.
            if (i < span.Length && span[i] == delimiter)
            {
                fields++;
                i++;
                continue;
            }
            if (i < span.Length && span[i] is not ((byte)'\r' or (byte)'\n'))
            {
                return false;
            }
            if (fields < 2 || (fieldsPerRecord >= 0 && fields != fieldsPerRecord))
            {
                return false;
            }
            fieldsPerRecord = fields;
            records++;
            fields = 1;
            if (i >= span.Length)
            {
                break;
            }
            i += span[i..].StartsWith("\r\n"u8) ? 2 : 1;
        }
        return records >= 2;
    }
}
