using System.Globalization;
using System.Security.Cryptography;
using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Attachments;

/// <summary>
/// Where attachments are found: <c>/files/&lt;id&gt;/&lt;name&gt;</c> on the bridge, below <c>ChatBridge:PublicUrl</c> when it is
/// set, else below the scheme and host of the request that asks. Also the lines Broca reads for each attachment.
/// </summary>
internal sealed class AttachmentLinks(IOptions<ChatBridgeOptions> options)
{
    public const string RoutePrefix = "/files";

    /// <summary>Random bytes in an id: 128 bits, so a link cannot be guessed.</summary>
    private const int IdBytes = 16;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));

    public static bool IsId(string? text) =>
        text is { Length: IdBytes * 2 } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>The path of a file on the bridge; the name only makes the link readable and what browsers save it as.</summary>
    public static string PathOf(string publicId, string name) => $"{RoutePrefix}/{publicId}/{Uri.EscapeDataString(name)}";

    /// <summary>The bridge's address without a trailing slash: the configured one, or the request's own.</summary>
    public string BaseOf(HttpContext http) =>
        options.Value.PublicUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    public AttachmentView Absolute(AttachmentView attachment, HttpContext http) => attachment with { Url = BaseOf(http) + attachment.Url };

    public IReadOnlyList<AttachmentView> Absolute(IReadOnlyList<AttachmentView> attachments, HttpContext http) =>
        attachments.Count == 0 ? attachments : [.. attachments.Select(a => Absolute(a, http))];

    /// <summary>
    /// A message as Broca reads it: the person's text, then one line per attachment in order, each with its absolute
    /// link; an image's line is all the agent needs to fetch it, a file's says what it is before the link.
    /// </summary>
    public string ForAgent(string text, IReadOnlyList<AttachmentView> attachments, HttpContext http)
    {
        if (attachments.Count == 0)
        {
            return text;
        }
        var lines = attachments.Select(a => Absolute(a, http)).Select(a => a.IsImage
            ? $"[Image Attachment: {a.Url}]"
            : $"[File Attachment: {a.Name} ({a.Type}, {SizeText(a.Size)}): {a.Url}]");
        return string.Join('\n', text.Length > 0 ? lines.Prepend(text) : lines);
    }

    /// <summary>A size as people read it, in binary units: <c>512 bytes</c>, <c>14.2 KB</c>, <c>3.1 MB</c>.</summary>
    public static string SizeText(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
    };
}
