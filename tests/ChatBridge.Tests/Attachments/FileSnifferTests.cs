using System.Text;
using ChatBridge.Attachments;

namespace ChatBridge.Tests.Attachments;

public sealed class FileSnifferTests
{
    public static TheoryData<string, byte[]> AcceptedFiles => new()
    {
        { "image/png", TestFiles.Png() },
        { "image/jpeg", TestFiles.Jpeg() },
        { "image/webp", TestFiles.Webp(lossless: false) },
        { "image/webp", TestFiles.Webp(lossless: true) },
        { "image/gif", TestFiles.Gif(2, 1, [0, 1]) },
        { "application/pdf", TestFiles.Pdf() },
        { "text/plain", "Meeting notes\nBring the slides.\n"u8.ToArray() },
        { "text/csv", "name,amount\nAda,12\nLinus,7\n"u8.ToArray() },
        { "text/plain", "Tab\tform feed\f escape \u001B[1m and \u00A0no-break space, \u0100 and \u00C2 (lead bytes C4, C3)\r\n"u8.ToArray() },
        { "text/csv", "name;city\nZo\u00EB;Z\u00FCrich\n\"Ren\u00E9e; Jr.\";Gen\u00E8ve\n"u8.ToArray() },
        { "text/csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("name,city\r\nZo\u00EB,Z\u00FCrich\r\n")] },
        { "text/plain", [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes("Notes in UTF-16, big-endian.")] },
    };

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Each_accepted_type_is_recognised_from_its_bytes(string mediaType, byte[] content)
    {
        Assert.Equal(mediaType, FileSniffer.Detect(content)?.MediaType);
    }

    public static TheoryData<string, byte[]> RefusedFiles => new()
    {
        { "HTML", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"u8.ToArray() },
        { "HTML after white space and a BOM", [0xEF, 0xBB, 0xBF, .. "\n  <html><script>alert(1)</script></html>"u8] },
        { "SVG with a script", """<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>"""u8.ToArray() },
        { "SVG after an XML declaration", """<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"""u8.ToArray() },
        { "HTML comment first", "<!-- hi --><p>x</p>"u8.ToArray() },
        { "HTML in UTF-16", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("<html><script>alert(1)</script></html>")] },
        { "ZIP", TestFiles.Zip(10) },
        { "ELF executable", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "Windows executable", [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0] },
        { "PDF that is also a ZIP", [.. TestFiles.Pdf(), .. TestFiles.Zip(10)] },
        { "text with a NUL", "abc\0def"u8.ToArray() },
        { "text with other control characters", "abc\u0001\u0002def"u8.ToArray() },
        { "text with DEL", "abc\u007Fdef"u8.ToArray() },
        { "text with a C1 control character", "abc\u009Bdef"u8.ToArray() },
        { "a C1 control character in UTF-16", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("abc\u0085def")] },
        { "HTML after no-break and ideographic spaces", "\u00A0\u3000<html><script>alert(1)</script></html>"u8.ToArray() },
        { "Latin-1 text, not UTF-8", Encoding.Latin1.GetBytes("Caf\u00e9 cr\u00e8me") },
        { "UTF-16 without a BOM", Encoding.Unicode.GetBytes("plain words") },
        { "UTF-16 with a lone surrogate", [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42, 0x00] },
        { "UTF-32", [0xFF, 0xFE, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00] },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public void Other_content_is_refused(string what, byte[] content)
    {
        Assert.True(FileSniffer.Detect(content) is null, $"{what} was accepted");
    }

    [Fact]
    public void A_PDF_is_not_refused_for_bytes_that_merely_resemble_a_zip_record()
    {
        byte[] pdf = [.. TestFiles.Pdf(), (byte)'P', (byte)'K', 5, 6, .. new byte[40]];

        Assert.Equal(DetectedType.Pdf, FileSniffer.Detect(pdf));
    }

    [Theory]
    [InlineData("<3 thanks for the help")]
    [InlineData("2 < 3 and 5 > 4")]
    [InlineData("Tabs\tand\r\nline endings\fand a form feed")]
    [InlineData("\u001B[31mred log line\u001B[0m")]
    [InlineData("Ünïcödé, 日本語, emoji 🎉")]
    public void Text_that_is_not_markup_is_plain_text(string text)
    {
        Assert.Equal(DetectedType.PlainText, FileSniffer.Detect(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xFE, 0xFF })]
    public void Text_with_a_byte_order_mark_is_text(byte[] bom)
    {
        var encoding = bom[0] switch
        {
            0xEF => Encoding.UTF8,
            0xFF => Encoding.Unicode,
            _ => Encoding.BigEndianUnicode,
        };
        byte[] content = [.. bom, .. encoding.GetBytes("Grüße\nau revoir")];

        Assert.Equal(DetectedType.PlainText, FileSniffer.Detect(content));
    }

    [Theory]
    [InlineData("a,b\n1,2")]
    [InlineData("name,amount\r\nAda,12\r\nLinus,7\r\n")]
    [InlineData("name;amount\nAda;12,50\nLinus;7,00\n")]
    [InlineData("city,note\n\"Paris, France\",\"said \"\"bonjour\"\"\"\nOslo,\"two\nlines\"\n")]
    [InlineData("a,b,c\n,,\n1,,3\n\n")]
    public void Text_that_parses_as_CSV_is_CSV(string text)
    {
        Assert.Equal(DetectedType.Csv, FileSniffer.Detect(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("just one line, with a comma")]
    [InlineData("Dear team,\nthe release is on Monday.\nThanks, Ada")]
    [InlineData("a,b\n1,2,3\n")]
    [InlineData("a,b\n\"unclosed,2\n")]
    [InlineData("a,b\n5\" screen,2\n")]
    [InlineData("a,b\n\"closed\" then more,2\n")]
    [InlineData("one\ncolumn\nonly\n")]
    [InlineData("a,b\n\n1,2\n")]
    public void Text_that_does_not_parse_as_CSV_is_plain_text(string text)
    {
        Assert.Equal(DetectedType.PlainText, FileSniffer.Detect(Encoding.UTF8.GetBytes(text)));
    }
}
