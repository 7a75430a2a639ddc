using System.Globalization;
using System.Text;
using ChatBridge.Attachments;

namespace ChatBridge.Tests.Attachments;

public sealed class SafeFileNameTests
{
    [Theory]
    [InlineData("../../etc/passwd", "passwd.txt")]
    [InlineData("..\\..\\Windows\\win.ini", "win.txt")]
    [InlineData("C:\\Users\\ada\\Desktop\\notes.txt", "notes.txt")]
    [InlineData("/var/www/../notes.log", "notes.log")]
    [InlineData("..", "file.txt")]
    [InlineData("../", "file.txt")]
    public void Only_the_last_path_segment_is_kept(string client, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(client, DetectedType.PlainText).DisplayName);
    }

    [Theory]
    [InlineData("re\u0000port\r\n.pdf", "report.pdf")]
    [InlineData("tab\there.pdf", "tabhere.pdf")]
    [InlineData("bell\u0007\u007F\u0085.pdf", "bell.pdf")]
    [InlineData("a\u2028b\u2029c.pdf", "abc.pdf")]
    [InlineData("what?*<>|:\"name\".pdf", "whatname.pdf")]
    [InlineData("zero\u200Bwidth\uFEFF.pdf", "zerowidth.pdf")]
    [InlineData("lone\uD800surrogate.pdf", "lonesurrogate.pdf")]
    public void Control_format_and_forbidden_characters_are_removed(string client, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(client, DetectedType.Pdf).DisplayName);
    }

    [Fact]
    public void A_right_to_left_override_cannot_disguise_the_extension()
    {
        // Shown as "invoice_fdp.exe" by a bidi-aware renderer: the override flips what follows it.
        var name = SafeFileName.For("invoice_\u202Eexe.pdf", DetectedType.Png);

        Assert.Equal("invoice_exe.png", name.DisplayName);
        Assert.DoesNotContain('\u202E', name.DisplayName);
    }

    [Theory]
    [InlineData("...hidden.txt", "hidden.txt")]
    [InlineData(".bashrc", "bashrc.txt")]
    [InlineData(" . leading.txt", "leading.txt")]
    [InlineData("trailing. . .txt", "trailing.txt")]
    [InlineData("many     spaces\u00A0\u3000here.txt", "many spaces here.txt")]
    [InlineData(".txt", "file.txt")]
    [InlineData("", "file.txt")]
    [InlineData(null, "file.txt")]
    public void Leading_dots_and_extra_spaces_are_removed(string? client, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(client, DetectedType.PlainText).DisplayName);
    }

    [Theory]
    [InlineData("photo", "photo.jpg")]
    [InlineData("photo.JPEG", "photo.jpeg")]
    [InlineData("photo.jpg", "photo.jpg")]
    [InlineData("photo.png", "photo.jpg")]
    [InlineData("photo.html", "photo.jpg")]
    [InlineData("photo.exe.jpg", "photo.exe.jpg")]
    [InlineData("v1.2", "v1.2.jpg")]
    [InlineData("my photo.from the beach", "my photo.from the beach.jpg")]
    [InlineData("", "image.jpg")]
    public void The_extension_matches_the_detected_type(string client, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(client, DetectedType.Jpeg).DisplayName);
    }

    [Theory]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("nul", "_nul.txt")]
    [InlineData("com1.backup.txt", "_com1.backup.txt")]
    [InlineData("console.txt", "console.txt")]
    public void Windows_device_names_are_not_produced(string client, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(client, DetectedType.PlainText).DisplayName);
    }

    [Fact]
    public void A_very_long_name_is_shortened_and_keeps_its_extension()
    {
        var name = SafeFileName.For(new string('a', 5_000) + ".pdf", DetectedType.Pdf);

        Assert.Equal(new string('a', SafeFileName.MaxStemBytes) + ".pdf", name.DisplayName);
    }

    [Fact]
    public void A_long_name_in_another_script_is_cut_between_characters_and_fits_a_file_system()
    {
        var original = string.Concat(Enumerable.Repeat("日本語👩‍👩‍👧", 100));

        var name = SafeFileName.For(original + ".pdf", DetectedType.Pdf).DisplayName;

        Assert.EndsWith(".pdf", name, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(name[..^4]), SafeFileName.MaxStemBytes - 18, SafeFileName.MaxStemBytes);
        var stem = name[..^4];
        Assert.StartsWith(stem, original, StringComparison.Ordinal);
        Assert.Contains(stem.Length, StringInfo.ParseCombiningCharacters(original));
    }

    [Fact]
    public void Joiners_inside_emoji_are_kept()
    {
        Assert.Equal("family 👩‍👩‍👧.txt", SafeFileName.For("family 👩‍👩‍👧.txt", DetectedType.PlainText).DisplayName);
    }

    [Fact]
    public void Letters_of_any_script_are_kept()
    {
        Assert.Equal("Résumé – Ωμέγα 日本.pdf", SafeFileName.For("Résumé – Ωμέγα 日本.pdf", DetectedType.Pdf).DisplayName);
    }

    [Fact]
    public void The_header_value_has_an_ASCII_fallback_and_the_UTF8_name()
    {
        var name = SafeFileName.For("Résumé \"final\" 100%.pdf", DetectedType.Pdf);

        Assert.Equal("Résumé final 100%.pdf", name.DisplayName);
        Assert.Equal(
            "attachment; filename=\"R_sum_ final 100_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final%20100%25.pdf",
            name.AttachmentDisposition);
        Assert.StartsWith("inline; ", name.InlineDisposition, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a;b,c=d(e)'f.pdf")]
    [InlineData("emoji 🎉 and 日本語.pdf")]
    [InlineData("evil\r\nSet-Cookie: x=y.pdf")]
    public void The_header_value_is_a_valid_single_line_of_ASCII(string client)
    {
        var header = SafeFileName.For(client, DetectedType.Pdf).AttachmentDisposition;

        Assert.All(header, c => Assert.InRange(c, ' ', '~'));
        var star = header[(header.IndexOf("filename*=UTF-8''", StringComparison.Ordinal) + 17)..];
        Assert.All(star, c => Assert.True(char.IsAsciiLetterOrDigit(c) || "!#$&+-.^_`|~%".Contains(c), $"'{c}' in {star}"));
        Assert.Equal(SafeFileName.For(client, DetectedType.Pdf).DisplayName, Uri.UnescapeDataString(star));
    }

    [Theory]
    [InlineData("a b/c?d#e%f.pdf")]
    [InlineData("日本 語.pdf")]
    public void The_URL_segment_is_escaped_and_unescapes_to_the_name(string client)
    {
        var name = SafeFileName.For(client, DetectedType.Pdf);

        Assert.DoesNotContain('/', name.UrlPathSegment);
        Assert.DoesNotContain('?', name.UrlPathSegment);
        Assert.DoesNotContain('#', name.UrlPathSegment);
        Assert.DoesNotContain(' ', name.UrlPathSegment);
        Assert.All(name.UrlPathSegment, c => Assert.True(c < 128));
        Assert.Equal(name.DisplayName, Uri.UnescapeDataString(name.UrlPathSegment));
    }
}
