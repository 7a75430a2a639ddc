namespace ChatBridge.Attachments;

/// <summary>
/// Uploaded files and their bytes, wherever the engine keeps them (the database, or a folder). A message takes its
/// attachments in its own write (<c>ISessionStore</c>); clean-up removes them with their sessions.
/// </summary>
internal interface IAttachmentStore
{
    /// <summary>
    /// Keeps <paramref name="file"/> unless the client's uploads since <paramref name="windowStart"/> and it together
    /// exceed <paramref name="budget"/> bytes (0: no budget). The check and the write are one statement, so parallel
    /// uploads of one client cannot each find the same room.
    /// </summary>
    /// <returns>Whether it was kept.</returns>
    Task<bool> AddAsync(NewAttachment file, long budget, DateTimeOffset windowStart, CancellationToken ct);

    /// <summary>What the client has uploaded since <paramref name="windowStart"/>.</summary>
    Task<UploadUsage> UsageSinceAsync(string client, DateTimeOffset windowStart, CancellationToken ct);

    /// <summary>The file behind a link, or null when there is none (never uploaded, or removed with its session).</summary>
    Task<StoredFile?> OpenAsync(string publicId, CancellationToken ct);
}
