using ChatBridge.Attachments;

namespace ChatBridge.Tests.Attachments;

/// <summary>Runs an upload through a fresh <see cref="AttachmentInspector"/> and unwraps what the test expects.</summary>
internal static class Inspect
{
    public const long Limit = 20 * 1024 * 1024;

    public static async Task<InspectedFile> Run(byte[] content, string? name = null, AttachmentOptions? options = null)
    {
        using var inspector = new AttachmentInspector(options ?? new AttachmentOptions());
        using var stream = new MemoryStream(content);
        return await inspector.InspectAsync(stream, name, Limit, CancellationToken.None);
    }

    public static async Task<InspectedFile.Accepted> Accepted(byte[] content, string? name = null, AttachmentOptions? options = null)
    {
        var result = await Run(content, name, options);
        return Assert.IsType<InspectedFile.Accepted>(result);
    }

    public static async Task<RefusalReason> Refusal(byte[] content, string? name = null, AttachmentOptions? options = null)
    {
        var result = await Run(content, name, options);
        return Assert.IsType<InspectedFile.Refused>(result).Reason;
    }
}
