namespace ChatBridge.Attachments;

/// <summary>
/// The caps that bound the work one attachment can cause. The byte limit per file is the caller's (it passes
/// <c>maxBytes</c>); these bound what those bytes may expand to once decoded.
/// </summary>
internal sealed record AttachmentOptions
{
    /// <summary>Most pixels an image may declare: 40 MP is a 48 MP phone photo's binned output with room to spare,
    /// and costs 160 MB of RGBA while decoding.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Longest side an image may declare, whatever its pixel count (a 16 384 × 1 strip is still refused above it).</summary>
    public int MaxSide { get; init; } = 16_384;

    /// <summary>
    /// Most pixels an image may declare per byte of its file. PNG's deflate cannot expand past about 1 032:1, so even a
    /// 1-bit PNG of one colour stays near 8 000 pixels per byte; a tiny file claiming millions of pixels is refused
    /// before anything is allocated for it.
    /// </summary>
    public int MaxPixelsPerByte { get; init; } = 8_192;

    /// <summary>Most pixels all frames of an animation may add up to once decoded; past it only the first frame is kept.</summary>
    public long MaxAnimationPixels { get; init; } = 40_000_000;

    /// <summary>Most frames an animation may have: each is a bitmap of its own until the WebP is written, however small.</summary>
    public int MaxAnimationFrames { get; init; } = 1_000;

    /// <summary>JPEG and lossy WebP quality of re-encoded images.</summary>
    public int Quality { get; init; } = 88;

    /// <summary>Images decoded at once by one inspector: each may hold up to two full RGBA copies of <see cref="MaxPixels"/>.</summary>
    public int MaxConcurrentDecodes { get; init; } = 2;
}
