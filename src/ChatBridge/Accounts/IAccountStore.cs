namespace ChatBridge.Accounts;

/// <summary>
/// Sanctum's accounts as the control app keeps them (<c>users</c>, <c>user_sessions</c>), and the bridge's note of which
/// accounts refuse sign-ins for a while. Whatever the bridge writes there, it writes as the control app would.
/// </summary>
internal interface IAccountStore
{
    Task<Account?> FindByUsernameAsync(string username, CancellationToken ct);

    /// <summary>Until when the account refuses sign-ins, or null when it does not.</summary>
    Task<DateTimeOffset?> LockedUntilAsync(long userId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Counts a wrong password in <c>failed_login_attempts</c>, as the control app does; every
    /// <paramref name="lockAfter"/>-th one in a row refuses further sign-ins until <paramref name="lockedUntil"/>.
    /// </summary>
    Task RecordFailureAsync(long userId, int lockAfter, DateTimeOffset lockedUntil, CancellationToken ct);

    /// <summary>
    /// A good password: the failures are forgotten, <c>last_login</c> set, a <c>user_sessions</c> row written (its
    /// token only as a digest), and the anonymous conversations this browser started become the user's.
    /// </summary>
    Task RecordSignInAsync(SignIn signIn, CancellationToken ct);

    /// <summary>The account of a live session (not expired, its account still active), by the digest of its token.</summary>
    Task<Account?> FindBySessionAsync(string tokenDigest, DateTimeOffset now, CancellationToken ct);

    Task DeleteSessionAsync(string tokenDigest, CancellationToken ct);

    /// <summary>The user's own conversations, newest activity first, each with its agent and last message.</summary>
    Task<(IReadOnlyList<UserConversation> Page, int Total)> ListConversationsAsync(long userId, int limit, int offset, CancellationToken ct);

    /// <summary>Hides (or shows again) one of the user's sessions in their list; null when it is not theirs.</summary>
    Task<ConversationVisibility?> HideConversationAsync(long userId, string sessionId, bool hidden, DateTimeOffset now, CancellationToken ct);
}

/// <summary>An account of the control app's <c>users</c>.</summary>
internal sealed record Account
{
    public long Id { get; init; }
    public string Username { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public string? Role { get; init; }
    public bool IsActive { get; init; }
}

/// <param name="SessionId">The row's own id: a second random token, as the control app makes it.</param>
/// <param name="TokenDigest">What the browser holds, kept only as its SHA-256, so the table does not hand out sessions.</param>
/// <param name="Conversations">Chat sessions this browser started while anonymous, to become the user's.</param>
internal sealed record SignIn(
    long UserId, string SessionId, string TokenDigest, DateTimeOffset Now, DateTimeOffset ExpiresAt,
    string? IpAddress, string? UserAgent, IReadOnlyList<ClaimedConversation> Conversations);

/// <param name="TokenHash">The session's <c>X-Session-Token</c> as its hash: needed to take over a session bound to one.</param>
internal sealed record ClaimedConversation(string SessionId, string? TokenHash);

internal sealed record ConversationVisibility
{
    /// <summary>When the user first hid it; null while it shows in their list.</summary>
    public DateTimeOffset? HiddenAt { get; init; }
}

/// <summary>One of a signed-in user's conversations, for <c>my_sessions</c>.</summary>
internal sealed record UserConversation
{
    public string SessionId { get; init; } = "";
    public long? AgentId { get; init; }
    public string? AgentName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastActive { get; init; }

    /// <summary>The conversation's first message, shortened: what lists show it as.</summary>
    public string? Title { get; init; }

    public string? LastMessage { get; init; }
    public DateTimeOffset? LastMessageAt { get; init; }
}
