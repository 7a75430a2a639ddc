using System.Text;
using System.Text.Unicode;

namespace ChatBridge.Attachments;

/// <summary>
/// When bytes are plain text, and when that text is CSV. Text is valid UTF-8 (a UTF-8 byte order mark allowed), or
/// UTF-16 that announces itself with a byte order mark; nothing else is guessed, so Latin-1 or BOM-less UTF-16 is not
/// text. Control characters other than tab, line feed, vertical tab, form feed, carriage return and escape mark the
/// bytes as binary, and so does NUL. A markup document (the first thing after white space is a tag, a comment, a
/// doctype or an XML declaration) is refused: that is how HTML, SVG and XML begin.
/// </summary>
internal static class TextRules
{
    private static readonly UTF8Encoding Utf8Text = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding Utf16Le = new(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding Utf16Be = new(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The text the bytes hold, without its byte order mark, or null when they are not text.</summary>
    public static string? Decode(ReadOnlySpan<byte> content)
    {
        string text;
        if (content.StartsWith(Utf8Bom))
        {
            if (!Utf8.IsValid(content[3..]))
            {
                return null;
            }
            text = Utf8Text.GetString(content[3..]);
        }
        else if (IsUtf16(content))
        {
            if (TryDecodeUtf16(content[2..], bigEndian: content[0] == 0xFE) is not { } utf16)
            {
                return null;
            }
            text = utf16;
        }
        else
        {
            if (!Utf8.IsValid(content))
            {
                return null;
            }
            text = Utf8Text.GetString(content);
        }
        return HasOnlyTextCharacters(text) && !IsMarkup(text) ? text : null;
    }

    /// <summary>Whether the bytes begin with a UTF-16 byte order mark, little- or big-endian.</summary>
    public static bool IsUtf16(ReadOnlySpan<byte> content) =>
        content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);

    /// <summary>
    /// Whether text is CSV as RFC 4180 writes it, with comma or semicolon (spreadsheets in many locales) between fields:
    /// at least two records, every record with the same number of fields and at least two, quotes only around whole
    /// fields and always closed. Anything looser stays plain text, which is served just as safely.
    /// </summary>
    public static bool IsCsv(string text) => HasConsistentRecords(text, ',') || HasConsistentRecords(text, ';');

    private static string? TryDecodeUtf16(ReadOnlySpan<byte> content, bool bigEndian)
    {
        if (content.Length % 2 != 0)
        {
            return null;
        }
        try
        {
            return (bigEndian ? Utf16Be : Utf16Le).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool HasOnlyTextCharacters(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\v' or '\f' or '\r' or '\u001B'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsMarkup(string text)
    {
        var start = text.AsSpan().TrimStart();
        return start.Length >= 2 && start[0] == '<' && (char.IsAsciiLetter(start[1]) || start[1] is '!' or '?' or '/');
    }

    private static bool HasConsistentRecords(string text, char delimiter)
    {
        var span = text.AsSpan().TrimEnd("\r\n");
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
                    var quote = span[i..].IndexOf('"');
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
                var end = span[i..].IndexOfAny(delimiter, '\r', '\n');
                var field = end < 0 ? span[i..] : span[i..(i + end)];
                if (field.Contains('"'))
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
            if (i < span.Length && span[i] is not ('\r' or '\n'))
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
            i += span[i..].StartsWith("\r\n") ? 2 : 1;
        }
        return records >= 2;
    }
}
