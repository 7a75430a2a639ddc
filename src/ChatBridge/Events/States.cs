namespace ChatBridge.Events;

/// <summary>A message's delivery states, as <c>history</c> reports them.</summary>
internal static class MessageStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Answered = "answered";

    /// <summary>An admin dropped it: never handed out again (a late reply still answers it).</summary>
    public const string Dropped = "dropped";
}

internal static class TypingState
{
    public const string Start = "start";
    public const string Stop = "stop";
}
