namespace ChatBridge.Attachments;

/// <summary>Why an attachment was refused.</summary>
internal enum RefusalReason
{
    /// <summary>The stream held more than the caller's byte limit.</summary>
    TooLarge,

    /// <summary>The stream held no bytes.</summary>
    Empty,

    /// <summary>The bytes are none of the accepted types (or are two at once).</summary>
    UnsupportedType,

    /// <summary>An image side is longer than <see cref="AttachmentOptions.MaxSide"/>.</summary>
    ImageTooLarge,

    /// <summary>An image declares more than <see cref="AttachmentOptions.MaxPixels"/>.</summary>
    TooManyPixels,

    /// <summary>The bytes start like an accepted type but do not decode as one.</summary>
    Corrupt,
}

/// <summary>Width and height of an image as stored, after its orientation was applied.</summary>
internal readonly record struct ImageSize(int Width, int Height);

/// <summary>What <see cref="AttachmentInspector"/> made of an upload: the bytes to store, or why there are none.</summary>
internal abstract record InspectedFile
{
    private InspectedFile()
    {
    }

    /// <summary>
    /// Bytes safe to store and serve as <see cref="DetectedType.ContentType"/>: re-encoded pixels for images, UTF-8
    /// for text, the upload itself for PDF.
    /// </summary>
    internal sealed record Accepted(ReadOnlyMemory<byte> Content, DetectedType Type, SafeFileName Name, ImageSize? Size) : InspectedFile
    {
        public long Length => Content.Length;
    }

    /// <summary>Nothing to store; <paramref name="Detail"/> is for logs, not for the client.</summary>
    internal sealed record Refused(RefusalReason Reason, string Detail) : InspectedFile;
}
