using ChatBridge.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBridge.Storage;

/// <summary>
/// <c>ChatBridge:Attachments:Folder</c>: the files kept outside the database, one per attachment, named by its random
/// id (hex digits only, so no name can leave the folder). Unset, this keeps nothing and the rows hold the bytes.
/// </summary>
internal sealed class AttachmentFolder
{
    private readonly string? _path;
    private readonly ILogger<AttachmentFolder> _logger;

    public AttachmentFolder(IOptions<ChatBridgeOptions> options, IHostEnvironment environment, ILogger<AttachmentFolder> logger)
    {
        _logger = logger;
        if (options.Value.Attachments.Folder is { Length: > 0 } folder)
        {
            _path = BridgePaths.Resolve(folder, environment);
            Directory.CreateDirectory(_path);
        }
    }

    public bool IsUsed => _path is not null;

    /// <summary>Written under a temporary name and renamed, so a reader never finds half a file.</summary>
    public async Task WriteAsync(string publicId, byte[] content, CancellationToken ct)
    {
        var path = PathOf(publicId);
        var partial = path + ".partial";
        await File.WriteAllBytesAsync(partial, content, ct);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The file's bytes, or null when it is gone (removed by hand, or the folder was not carried over).</summary>
    public Stream? OpenRead(string publicId)
    {
        try
        {
            return new FileStream(PathOf(publicId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes files whose rows are gone; one that cannot be removed is logged and left, since its row is gone already.</summary>
    public void Delete(IEnumerable<string> publicIds)
    {
        if (_path is null)
        {
            return;
        }
        foreach (var id in publicIds)
        {
            try
            {
                File.Delete(PathOf(id));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(e, "Attachment file {Id} could not be removed", id);
            }
        }
    }

    /// <summary>Every file, for <c>clear_data</c>.</summary>
    public void DeleteAll()
    {
        if (_path is not null)
        {
            Delete(Directory.EnumerateFiles(_path).Select(Path.GetFileName).OfType<string>());
        }
    }

    private string PathOf(string publicId) =>
        Path.Combine(_path ?? throw new InvalidOperationException("No attachments folder is configured."), publicId);
}
