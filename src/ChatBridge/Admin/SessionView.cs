using System.Text.Json;

namespace ChatBridge.Admin;

/// <summary>A session as admins see it: <c>metadata</c> is a JSON object, whatever an older row stored.</summary>
internal sealed record SessionView(
    string Id, string Uid, DateTimeOffset CreatedAt, DateTimeOffset LastActive, string? IpAddress, JsonElement Metadata,
    string Status, long MessageCount, long ResponseCount, long ExhaustedCount, long? UserId, string? Username, long? AgentId)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static SessionView From(SessionSummary s) =>
        new(s.Id, s.Uid, s.CreatedAt, s.LastActive, s.IpAddress, ParseMetadata(s.Metadata),
            s.Status, s.MessageCount, s.ResponseCount, s.ExhaustedCount, s.UserId, s.Username, s.AgentId);

    private static JsonElement ParseMetadata(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return EmptyObject;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : EmptyObject;
        }
        catch (JsonException)
        {
            return EmptyObject;
        }
    }
}
