using System.Text.Json;
using ChatBridge.Attachments;
using ChatBridge.Http;

namespace ChatBridge.Chat;

/// <summary>The <c>attachments</c> field of <c>messages</c>: upload ids, each once, at most the configured number.</summary>
internal static class AttachmentIds
{
    /// <summary>Left out or null is none; anything but an array of distinct upload ids is <c>Invalid attachments</c>.</summary>
    public static Parsed<IReadOnlyList<string>> Read(RequestFields body, int maxFiles)
    {
        if (!body.TryGet("attachments", out var field) || field.ValueKind == JsonValueKind.Null)
        {
            return Parsed<IReadOnlyList<string>>.Ok([]);
        }
        if (field.ValueKind != JsonValueKind.Array)
        {
            return Parsed<IReadOnlyList<string>>.Fail(Envelope.BadRequest(Errors.InvalidAttachments));
        }
        if (field.GetArrayLength() > maxFiles)
        {
            return Parsed<IReadOnlyList<string>>.Fail(Envelope.BadRequest(Errors.TooManyAttachments));
        }
        List<string> ids = [];
        foreach (var item in field.EnumerateArray())
        {
            var id = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (!AttachmentLinks.IsId(id) || ids.Contains(id!))
            {
                return Parsed<IReadOnlyList<string>>.Fail(Envelope.BadRequest(Errors.InvalidAttachments));
            }
            ids.Add(id!);
        }
        return Parsed<IReadOnlyList<string>>.Ok(ids);
    }
}
