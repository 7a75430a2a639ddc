using ChatBridge.Http;

namespace ChatBridge.Chat;

/// <summary><c>client_message_id</c>: the UUID a client gives a send so that a retry of it is stored once.</summary>
internal static class ClientMessageIds
{
    /// <summary>Absent or null is no id; a UUID string is the id in lowercase <c>8-4-4-4-12</c> form; anything else is invalid.</summary>
    public static bool TryRead(RequestFields body, out string? id)
    {
        id = null;
        switch (body.String("client_message_id", out var raw))
        {
            case FieldState.Missing:
                return true;
            case FieldState.WrongType:
                return body.IsNull("client_message_id");
        }
        if (!Guid.TryParseExact(raw, "D", out var uuid))
        {
            return false;
        }
        id = uuid.ToString("D");
        return true;
    }
}
