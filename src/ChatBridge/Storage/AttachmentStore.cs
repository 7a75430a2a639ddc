using ChatBridge.Attachments;
using ChatBridge.Data;
using static ChatBridge.Data.SqlParam;

namespace ChatBridge.Storage;

/// <summary>
/// Attachments in the database's own table; their bytes in its <c>content</c> column, or in the
/// <see cref="AttachmentFolder"/> when one is configured. An upload is synced before it is answered, like a message.
/// </summary>
internal sealed class AttachmentStore(IDatabase db, AttachmentFolder folder) : IAttachmentStore
{
    public async Task<bool> AddAsync(NewAttachment file, long budget, DateTimeOffset windowStart, CancellationToken ct)
    {
        if (folder.IsUsed)
        {
            await folder.WriteAsync(file.PublicId, file.Content, ct);
        }
        var stored = false;
        try
        {
            stored = await db.RunAsync(async sql => await sql.ExecuteAsync(AttachmentSql.Insert,
                P("@publicId", file.PublicId), P("@sessionId", file.SessionId), P("@name", file.Name), P("@mediaType", file.MediaType),
                P("@size", file.Size), P("@width", file.Width), P("@height", file.Height), P("@client", file.Client),
                P("@now", file.CreatedAt), P("@expiresAt", file.ExpiresAt), P("@content", folder.IsUsed ? null : file.Content),
                P("@budget", budget), P("@windowStart", windowStart)) == 1, ct);
            return stored;
        }
        finally
        {
            if (!stored)
            {
                folder.Delete([file.PublicId]);
            }
        }
    }

    public Task<UploadUsage> UsageSinceAsync(string client, DateTimeOffset windowStart, CancellationToken ct) =>
        db.ReadAsync(async sql => (await sql.FirstOrDefaultAsync<UploadUsage>(AttachmentSql.Usage, P("@client", client), P("@windowStart", windowStart)))!, ct);

    public async Task<StoredFile?> OpenAsync(string publicId, CancellationToken ct)
    {
        var (row, content) = await db.ReadSnapshotAsync(async sql =>
        {
            var found = await sql.FirstOrDefaultAsync<FileRow>(AttachmentSql.Find, P("@publicId", publicId));
            return (found, found is null || folder.IsUsed ? null : await sql.ScalarAsync<byte[]>(AttachmentSql.Content, P("@publicId", publicId)));
        }, ct);
        if (row is null)
        {
            return null;
        }
        Stream? stream = content is not null ? new MemoryStream(content, writable: false) : folder.IsUsed ? folder.OpenRead(publicId) : null;
        return stream is null ? null : new StoredFile(row.SessionId, row.Name, row.MediaType, row.ExpiresAt, stream);
    }

    /// <summary>Attachment rows as <see cref="AttachmentView"/>s by message, their URLs the bridge's paths.</summary>
    public static ILookup<long, AttachmentView> ByMessage(IEnumerable<AttachmentRow> rows) =>
        rows.ToLookup(r => r.MessageId, r => new AttachmentView
        {
            Id = r.Id, Name = r.Name, Type = r.Type, Size = r.Size, Width = r.Width, Height = r.Height,
            Url = AttachmentLinks.PathOf(r.Id, r.Name), ExpiresAt = r.ExpiresAt,
        });

    private sealed record FileRow
    {
        public string SessionId { get; init; } = "";
        public string Name { get; init; } = "";
        public string MediaType { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
    }
}

/// <summary>A row of <see cref="AttachmentSql.OfSession"/> or <see cref="AttachmentSql.OfMessageRange"/>.</summary>
internal sealed record AttachmentRow
{
    public long MessageId { get; init; }
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public long Size { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}
