namespace ChatBridge.Http;

/// <summary>
/// The rate-limiting policies, one per limited action: each action has its own budget, even where two read their
/// limit from the same setting (<c>history</c> and <c>agents</c> use <c>rate_limit_responses</c>).
/// </summary>
internal static class Limits
{
    public const string Messages = "messages";
    public const string Upload = "upload";
    public const string Responses = "responses";
    public const string History = "history";
    public const string Agents = "agents";
    public const string Feedback = "feedback";
    public const string Seen = "seen";
    public const string Inbox = "inbox";
    public const string Outbox = "outbox";
    public const string Sessions = "sessions";
    public const string SignIn = "sign_in";
}
