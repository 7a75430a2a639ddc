namespace ChatBridge.Tests;

/// <summary>A session's messages and replies written straight into the tables, at the times a test needs.</summary>
internal sealed class ArrangedConversation
{
    private readonly BridgeApp _app;
    private readonly string _sessionId;

    public ArrangedConversation(BridgeApp app, string sessionId, long? agentId)
    {
        _app = app;
        _sessionId = sessionId;
        AgentId = agentId;
        app.Execute(
            "INSERT INTO web_chat_sessions (session_id, uid, agent_id, created_at, last_active) VALUES ($s, '0123456789abcdef', $a, $t, $t)",
            ("$s", sessionId), ("$a", agentId), ("$t", app.Clock.GetUtcNow()));
    }

    public long? AgentId { get; }

    public long Ask(DateTimeOffset at)
    {
        _app.Execute(
            "INSERT INTO web_chat_messages (session_id, message, timestamp, processed) VALUES ($s, 'question', $t, 1)",
            ("$s", _sessionId), ("$t", at));
        return (long)_app.Scalar("SELECT MAX(id) FROM web_chat_messages")!;
    }

    /// <summary>The message's first reply, which answers it.</summary>
    public void Answer(long messageId, DateTimeOffset at)
    {
        Reply(messageId, at);
        _app.Execute("UPDATE web_chat_messages SET answered_at = $t WHERE id = $id", ("$t", at), ("$id", messageId));
    }

    public void Reply(long? messageId, DateTimeOffset at) =>
        _app.Execute(
            "INSERT INTO web_chat_responses (session_id, message_id, response, timestamp) VALUES ($s, $m, 'answer', $t)",
            ("$s", _sessionId), ("$m", messageId), ("$t", at));
}
