namespace ChatBridge.Attachments;

/// <summary>Whether the chat shows an attachment as a picture or offers it as a download.</summary>
internal enum AttachmentKind
{
    Image,
    File,
}

/// <summary>
/// A content type the bridge accepts, recognised from the bytes. <see cref="Extensions"/> lists the file name
/// extensions a client may use for it, the canonical one first.
/// </summary>
internal sealed record DetectedType
{
    public static readonly DetectedType Png = new("image/png", AttachmentKind.Image, "png");
    public static readonly DetectedType Jpeg = new("image/jpeg", AttachmentKind.Image, "jpg", "jpeg");
    public static readonly DetectedType Webp = new("image/webp", AttachmentKind.Image, "webp");
    public static readonly DetectedType Gif = new("image/gif", AttachmentKind.Image, "gif");
    public static readonly DetectedType Pdf = new("application/pdf", AttachmentKind.File, "pdf");
    public static readonly DetectedType PlainText = new("text/plain", AttachmentKind.File, "txt", "text", "log", "md");
    public static readonly DetectedType Csv = new("text/csv", AttachmentKind.File, "csv");

    private static readonly DetectedType[] All = [Png, Jpeg, Webp, Gif, Pdf, PlainText, Csv];

    private DetectedType(string mediaType, AttachmentKind kind, params string[] extensions)
    {
        MediaType = mediaType;
        Kind = kind;
        Extensions = extensions;
    }

    public string MediaType { get; }

    /// <summary>Every media type the bridge accepts.</summary>
    public static IReadOnlyList<string> MediaTypes { get; } = [.. All.Select(t => t.MediaType)];

    /// <summary>The accepted type of a stored media type, or null for one the bridge never stores.</summary>
    public static DetectedType? FromMediaType(string mediaType) => All.FirstOrDefault(t => t.MediaType == mediaType);

    public AttachmentKind Kind { get; }

    public IReadOnlyList<string> Extensions { get; }

    public string Extension => Extensions[0];

    /// <summary>The Content-Type to serve: text is always UTF-8 once inspected, and says so.</summary>
    public string ContentType => Kind == AttachmentKind.File && MediaType.StartsWith("text/", StringComparison.Ordinal)
        ? MediaType + "; charset=utf-8"
        : MediaType;
}
