using System.Text.Json;

namespace ChatBridge.Admin;

/// <summary>A session as admins see it: <c>metadata</c> is a JSON object, whatever an older row stored.</summary>
internal sealed record SessionView(
    string Id, string Uid, DateTimeOffset CreatedAt, DateTimeOffset LastActive, string? IpAddress, JsonElement Metadata,
    string Status, long MessageCount, long ResponseCount, long ExhaustedCount, long? UserId, string? Username, long? AgentId)
{
    /// <summary>Set when its signed-in owner removed it from their list; the admin still lists it.</summary>
    public DateTimeOffset? HiddenAt { get; init; }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static SessionView From(SessionSummary s) =>
        new(s.Id, s.Uid, s.CreatedAt, s.LastActive, s.IpAddress, ParseMetadata(s.Metadata),
            s.Status, s.MessageCount, s.ResponseCount, s.ExhaustedCount, s.UserId, s.Username, s.AgentId) { HiddenAt = s.HiddenAt };

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
