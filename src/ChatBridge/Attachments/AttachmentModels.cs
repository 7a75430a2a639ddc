namespace ChatBridge.Attachments;

/// <summary>An inspected upload on its way to storage, not yet part of any message.</summary>
/// <param name="PublicId">The random id in its link.</param>
/// <param name="Client">The uploader's address, which its hourly byte budget is counted by.</param>
internal sealed record NewAttachment(
    string PublicId, string SessionId, string Name, string MediaType, long Size, int? Width, int? Height,
    string Client, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, byte[] Content);

/// <summary>
/// An attachment as the API shows it. <see cref="Url"/> is the path on the bridge (<c>/files/…</c>) as stores give it,
/// and absolute once <see cref="AttachmentLinks"/> has put the bridge's address in front.
/// </summary>
internal sealed record AttachmentView
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public long Size { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public string Url { get; init; } = "";

    /// <summary>When the link stops working for anyone but the session's owner and admins.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    public bool IsImage => DetectedType.FromMediaType(Type)?.Kind == AttachmentKind.Image;
}

/// <summary>What <c>upload</c> answers: the attachment to name in <c>messages</c>, and how it was stored.</summary>
internal sealed record UploadedAttachment(string AttachmentId, string Name, string Type, long Size, int? Width, int? Height, string Url, DateTimeOffset ExpiresAt);

/// <summary>A stored file to serve: who it belongs to, until when its link works, and its bytes.</summary>
internal sealed record StoredFile(string SessionId, string Name, string MediaType, DateTimeOffset ExpiresAt, Stream Content) : IDisposable
{
    public void Dispose() => Content.Dispose();
}

/// <summary>A client's uploads in the budget's window: their bytes, and when the oldest of them was made.</summary>
internal sealed record UploadUsage
{
    public long Bytes { get; init; }
    public DateTimeOffset? Oldest { get; init; }
}
