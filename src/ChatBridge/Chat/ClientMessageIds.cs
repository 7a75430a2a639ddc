using System.Text.Json;
using ChatBridge.Http;

namespace ChatBridge.Chat;

/// <summary><c>client_message_id</c>: the UUID a client gives a send so that a retry of it is stored once.</summary>
internal static class ClientMessageIds
{
    /// <summary>Absent or null is no id; a UUID string is the id in lowercase <c>8-4-4-4-12</c> form; anything else is invalid.</summary>
    public static bool TryRead(JsonElement body, out string? id)
    {
        id = null;
        switch (JsonFields.String(body, "client_message_id", out var raw))
        {
            case FieldState.Missing:
                return true;
            case FieldState.WrongType:
                return body.GetProperty("client_message_id").ValueKind == JsonValueKind.Null;
        }
        if (!Guid.TryParseExact(raw, "D", out var uuid))
        {
            return false;
        }
        id = uuid.ToString("D");
        return true;
    }
}
