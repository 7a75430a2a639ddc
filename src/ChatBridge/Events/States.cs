namespace ChatBridge.Events;

/// <summary>A message's delivery states, as <c>history</c> reports them.</summary>
internal static class MessageStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Answered = "answered";
}

internal static class TypingState
{
    public const string Start = "start";
    public const string Stop = "stop";
}
