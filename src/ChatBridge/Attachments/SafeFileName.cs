using System.Buffers;
using System.Globalization;
using System.Text;

namespace ChatBridge.Attachments;

/// <summary>
/// A download name made from whatever name the client sent: its last path segment, without control, formatting
/// (bidirectional overrides among them; the joiners emoji need stay) or unassigned characters, without the characters Windows forbids in a name,
/// without leading or trailing dots, at most <see cref="MaxStemBytes"/> bytes of UTF-8 before an extension that matches
/// the detected type. Letters of any script stay. Unicode normalisation is not applied: the server runs with invariant
/// globalization, where it is not available.
/// </summary>
internal sealed record SafeFileName
{
    /// <summary>UTF-8 bytes kept before the extension, so the whole name fits the 255 bytes file systems allow with
    /// room to spare; cut between user-perceived characters, never inside one.</summary>
    public const int MaxStemBytes = 150;

    private const string ForbiddenInNames = "\"*/:<>?\\|";
    private const int ZeroWidthNonJoiner = 0x200C;
    private const int ZeroWidthJoiner = 0x200D;

    private static readonly SearchValues<char> AsciiAlphanumerics =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<byte> Rfc5987AttrChars =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$&+-.^_`|~"u8);

    private static readonly string[] DeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    private SafeFileName(string displayName) => DisplayName = displayName;

    /// <summary>The name to show and to save under.</summary>
    public string DisplayName { get; }

    /// <summary>The name escaped for one segment of a URL path.</summary>
    public string UrlPathSegment => Uri.EscapeDataString(DisplayName);

    /// <summary>A Content-Disposition value that makes browsers download the file under this name.</summary>
    public string AttachmentDisposition => Disposition("attachment");

    /// <summary>A Content-Disposition value for showing the file in the page (images), naming it for "save as".</summary>
    public string InlineDisposition => Disposition("inline");

    /// <summary>
    /// The safe name for a client's file name, with the extension of the type the bytes turned out to be: the client's
    /// own when it is one of that type's (photo.JPEG stays photo.jpeg), else the type's canonical one in place of
    /// whatever extension the name had (a PNG named scan.pdf becomes scan.png).
    /// </summary>
    public static SafeFileName For(string? clientFileName, DetectedType type)
    {
        var name = Clean(LastSegment(clientFileName ?? ""));
        var stem = name;
        var extension = type.Extension;
        var dot = name.LastIndexOf('.');
        if (dot >= 0 && LooksLikeExtension(name.AsSpan(dot + 1)))
        {
            stem = name[..dot];
            var given = name[(dot + 1)..].ToLowerInvariant();
            if (type.Extensions.Contains(given))
            {
                extension = given;
            }
        }

        stem = Shorten(TrimDotsAndSpaces(stem));
        if (stem.Length == 0)
        {
            stem = type.Kind == AttachmentKind.Image ? "image" : "file";
        }
        // Windows opens a device, not a file, for these names whatever extensions follow.
        if (DeviceNames.Contains(stem.Split('.')[0].TrimEnd(), StringComparer.OrdinalIgnoreCase))
        {
            stem = "_" + stem;
        }
        return new SafeFileName($"{stem}.{extension}");
    }

    private static string LastSegment(string name) => name[(name.LastIndexOfAny(['/', '\\']) + 1)..];

    private static string Clean(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            // Ill-formed UTF-16 enumerates as U+FFFD; it carried nothing readable.
            if (rune == Rune.ReplacementChar || (rune.IsAscii && ForbiddenInNames.Contains((char)rune.Value)))
            {
                continue;
            }
            // Joiners are formatting characters too, but emoji sequences and scripts such as Persian need them.
            if (rune.Value is ZeroWidthNonJoiner or ZeroWidthJoiner)
            {
                builder.Append((char)rune.Value);
                continue;
            }
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                    or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    break;
                case UnicodeCategory.SpaceSeparator:
                    if (builder.Length > 0 && builder[^1] != ' ')
                    {
                        builder.Append(' ');
                    }
                    break;
                default:
                    builder.Append(rune.ToString());
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>1 to 5 ASCII letters or digits, at least one a letter: "pdf", "mp4", "jpeg"; not "2" in "v1.2".</summary>
    private static bool LooksLikeExtension(ReadOnlySpan<char> candidate) =>
        candidate.Length is >= 1 and <= 5 && !candidate.ContainsAnyExcept(AsciiAlphanumerics) && candidate.ContainsAnyExceptInRange('0', '9');

    private static string TrimDotsAndSpaces(string stem) => stem.Trim('.', ' ');

    private static string Shorten(string stem)
    {
        if (Encoding.UTF8.GetByteCount(stem) <= MaxStemBytes)
        {
            return stem;
        }
        var length = 0;
        var bytes = 0;
        while (length < stem.Length)
        {
            var next = StringInfo.GetNextTextElementLength(stem, length);
            var nextBytes = Encoding.UTF8.GetByteCount(stem.AsSpan(length, next));
            if (bytes + nextBytes > MaxStemBytes)
            {
                break;
            }
            length += next;
            bytes += nextBytes;
        }
        return TrimDotsAndSpaces(stem[..length]);
    }

    /// <summary>RFC 6266: a quoted ASCII fallback for old clients, then the real name as RFC 5987 UTF-8.</summary>
    private string Disposition(string type) =>
        $"{type}; filename=\"{AsciiFallback(DisplayName)}\"; filename*=UTF-8''{Rfc5987(DisplayName)}";

    private static string AsciiFallback(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            // Percent signs are replaced too: some clients percent-decode the plain filename parameter.
            builder.Append(rune.Value is >= 0x20 and < 0x7F and not ('"' or '\\' or '%') ? (char)rune.Value : '_');
        }
        return builder.ToString();
    }

    private static string Rfc5987(string name)
    {
        var builder = new StringBuilder(name.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (Rfc5987AttrChars.Contains(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
