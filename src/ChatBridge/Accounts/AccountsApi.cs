using System.Text.Json;
using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Accounts;

/// <summary>
/// Signing in with a Sanctum account (the control app's <c>users</c>), for the chat page, the widget and the admin console.
/// Same-origin only: these actions send no CORS headers, so no other site's page can read their answers.
/// </summary>
internal static class AccountsApi
{
    /// <summary>The control app's own lifetime of a <c>user_sessions</c> row.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(24);

    /// <summary>Wrong passwords in a row before the account refuses sign-ins for <see cref="LockFor"/>.</summary>
    public const int LockAfter = 10;

    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);

    /// <summary>Anonymous conversations a sign-in may take over at once; a browser keeps far fewer.</summary>
    internal const int MaxClaimedConversations = 100;

    private const int MaxUsernameLength = 50;
    private const int MaxPasswordLength = 1024;

    private const string AccountsTag = "Accounts (Sanctum sign-in)";

    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("").WithTags(AccountsTag);

        accounts.MapPost("/sign_in", SignIn)
            .WithName("sign_in")
            .WithSummary("Sign in with a Sanctum account")
            .WithDescription("Checks `username` and `password` against the control app's accounts and sets the session cookie (HttpOnly, "
                + "SameSite=Lax, Secure behind HTTPS; 24 hours). `sessions` may list conversations this browser started anonymously: they "
                + "become the user's. Each is a session id, or `{session_id, token}` for a session bound to an `X-Session-Token`, which is taken over only with it. `frame: true` (the widget's panel, which gets no cookie inside another site) returns the token as "
                + "`session_token` instead, to be sent as `X-Sanctum-Session`. Wrong or unknown is 401 `Invalid username or password`, a "
                + "deactivated account 403 `Account is deactivated`; after 10 wrong passwords in a row the account refuses sign-ins for "
                + "15 minutes (429 with `retry_after`). Requests that change something on the cookie alone must send `X-Requested-With`.")
            .WithExamples(
                new SignInRequest("ada", "correct horse battery staple", [new SessionClaim("session_k3f9x2m4q8w1", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")], Frame: false), new SignedIn(ExampleUser, SessionToken: null))
            .Produces<Envelope<SignedIn>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .Produces<ErrorEnvelope>(StatusCodes.Status413PayloadTooLarge)
            .RateLimited(Limits.SignIn);

        accounts.MapPost("/sign_out", SignOut)
            .WithName("sign_out")
            .WithSummary("Sign out")
            .WithDescription("Ends the browser's sign-in (its `user_sessions` row is deleted) and clears the cookie. Signed out already is a 200 too.")
            .WithExamples(data: new SignOutResult(SignedOut: true));

        accounts.MapGet("/me", Me)
            .WithName("me")
            .WithSummary("The signed-in user")
            .WithDescription("The account this browser is signed in with; 401 `Authentication required` when it is not.")
            .WithExamples(data: new SignedIn(ExampleUser, SessionToken: null))
            .Produces<Envelope<SignedIn>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized);

        accounts.MapGet("/my_sessions", MySessions)
            .WithName("my_sessions")
            .WithSummary("The signed-in user's conversations")
            .WithDescription("The user's own sessions, most recently active first, each with its agent, title (its first message, shortened) "
                + "and last message. The same on every device the user signs in on. `limit` defaults to 50 and is clamped to 100.")
            .WithExamples(data: new MySessionList([ExampleConversation], new Pagination(1, 50, 0, HasMore: false)))
            .Produces<Envelope<MySessionList>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status400BadRequest)
            .Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized)
            .RateLimited(Limits.History);

        // A group of its own, so that its filter runs before the body's: a caller who is not signed in hears that first.
        accounts.MapGroup("").AddEndpointFilter(async (context, next) => Caller.Of(context.HttpContext.User).IsSignedIn
                ? await next(context)
                : Envelope.Fail(StatusCodes.Status401Unauthorized, Errors.AuthenticationRequired))
            .MapPost("/hide_session", HideSession)
            .WithName("hide_session")
            .WithSummary("Remove a conversation from the signed-in user's list")
            .WithDescription("Marks one of the user's own sessions hidden: `my_sessions` leaves it out from then on, on every device. Nothing "
                + "is deleted and the admin still sees it. `hidden: false` brings it back. Not signed in is 401 `Authentication required`; "
                + "a session that is not the user's (or does not exist) is 403 `Not your session`.")
            .WithExamples(new HideSessionRequest("session_k3f9x2m4q8w1", Hidden: true),
                new HiddenSession("session_k3f9x2m4q8w1", Hidden: true, Example.At("2026-11-24T10:30:00.000Z")))
            .Produces<Envelope<HiddenSession>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.History);

        return api;
    }

    private static async Task<IResult> HideSession(Body<HideSessionRequest> body, HttpContext http, IAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var userId = Caller.Of(http.User).UserId!.Value;
        var (sessionId, hidden) = body.Value;
        var result = await accounts.HideConversationAsync(userId, sessionId, hidden, time.GetUtcNow(), ct);
        return result is { } state
            ? Envelope.Ok(new HiddenSession(sessionId, hidden, state.HiddenAt))
            : Envelope.Fail(StatusCodes.Status403Forbidden, Errors.NotYourSession);
    }

    private static readonly AccountView ExampleUser = new(3, "ada", "user");

    private static readonly UserConversation ExampleConversation = new()
    {
        SessionId = "session_k3f9x2m4q8w1", AgentId = 1, AgentName = "Athena", CreatedAt = Example.At("2026-11-24T10:15:30.123Z"),
        LastActive = Example.At("2026-11-24T10:20:00.000Z"), Title = "Hello, Athena!", LastMessage = "Hi! How can I help?",
        LastMessageAt = Example.At("2026-11-24T10:15:32.456Z"),
    };

    private static async Task<IResult> SignIn(Body<SignInRequest> body, HttpContext http, IAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var (username, password, conversations, frame) = body.Value;
        username = username.Trim();
        var account = username.Length is > 0 and <= MaxUsernameLength ? await accounts.FindByUsernameAsync(username, ct) : null;
        var now = time.GetUtcNow();
        if (account is not null && await accounts.LockedUntilAsync(account.Id, now, ct) is { } lockedUntil)
        {
            // Refused before bcrypt runs: a locked account costs no CPU however often it is tried.
            return Envelope.RateLimited(Math.Max(1, (int)Math.Ceiling((lockedUntil - now).TotalSeconds)));
        }
        if (password.Length > MaxPasswordLength || !await Passwords.MatchesAsync(password, account?.PasswordHash))
        {
            if (account is not null)
            {
                await accounts.RecordFailureAsync(account.Id, LockAfter, now + LockFor, ct);
            }
            return Envelope.Fail(StatusCodes.Status401Unauthorized, Errors.InvalidCredentials);
        }
        // Only a caller who knows the password learns that the account is deactivated.
        if (!account!.IsActive)
        {
            return Envelope.Fail(StatusCodes.Status403Forbidden, Errors.AccountDeactivated);
        }
        var token = SessionTokens.New();
        var expires = now + SessionLifetime;
        string userAgent = http.Request.Headers.UserAgent.ToString();
        await accounts.RecordSignInAsync(
            new SignIn(account.Id, SessionTokens.New(), SessionTokens.Digest(token), now, expires, ClientAddress.Of(http),
                userAgent[..Math.Min(userAgent.Length, 512)],
                [.. conversations.Select(c => new ClaimedConversation(c.SessionId, c.Token is null ? null : SessionToken.Hash(c.Token)))]),
            ct);
        if (!frame)
        {
            SessionAuthenticationHandler.SetCookie(http, token, expires);
        }
        return Envelope.Ok(new SignedIn(AccountView.Of(account), frame ? token : null));
    }

    private static async Task<Ok<Envelope<SignOutResult>>> SignOut(HttpContext http, IAccountStore accounts, CancellationToken ct)
    {
        // A cookie sent without the page's header (a form on another site) neither ends the sign-in nor loses the cookie.
        if (SessionAuthenticationHandler.PresentedToken(http.Request) is { } token)
        {
            await accounts.DeleteSessionAsync(SessionTokens.Digest(token), ct);
            SessionAuthenticationHandler.ClearCookie(http);
        }
        return Envelope.Ok(new SignOutResult(SignedOut: true));
    }

    private static IResult Me(HttpContext http)
    {
        var caller = Caller.Of(http.User);
        return caller.IsSignedIn
            ? Envelope.Ok(new SignedIn(new AccountView(caller.UserId!.Value, caller.Username ?? "", caller.Role), SessionToken: null))
            : Envelope.Fail(StatusCodes.Status401Unauthorized, Errors.AuthenticationRequired);
    }

    private static async Task<IResult> MySessions([AsParameters] PageQuery query, HttpContext http, IAccountStore accounts, CancellationToken ct)
    {
        if (Caller.Of(http.User).UserId is not { } userId)
        {
            return Envelope.Fail(StatusCodes.Status401Unauthorized, Errors.AuthenticationRequired);
        }
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        if ((limit.Error ?? offset.Error) is { } invalid)
        {
            return invalid;
        }
        var (conversations, total) = await accounts.ListConversationsAsync(userId, limit.Value, offset.Value, ct);
        return Envelope.Ok(new MySessionList(conversations, new Pagination(total, limit.Value, offset.Value, offset.Value + conversations.Count < total)));
    }
}

/// <param name="Sessions">Conversations this browser started before signing in, to become the user's; ids of another form are passed over.</param>
/// <param name="Frame">The widget's panel: answer with a session token for <c>X-Sanctum-Session</c> instead of relying on the cookie alone.</param>
internal sealed record SignInRequest(string Username, string Password, IReadOnlyList<SessionClaim> Sessions, bool Frame) : IJsonRequest<SignInRequest>
{
    public static int MaxBytes => BodyLimits.Public;

    public static ValueTask<Parsed<SignInRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        if (!body.HasAll("username", "password"))
        {
            return ValueTask.FromResult(Parsed<SignInRequest>.Fail(Envelope.BadRequest(Errors.MissingRequiredFields)));
        }
        return ValueTask.FromResult(body.String("username", out var username) == FieldState.Present
            && body.String("password", out var password) == FieldState.Present
            && SessionsField(body, out var conversations)
            && FrameField(body, out var frame)
                ? Parsed<SignInRequest>.Ok(new SignInRequest(username, password, conversations, frame))
                : Parsed<SignInRequest>.Fail(Envelope.BadRequest(Errors.InvalidRequestBody)));
    }

    /// <summary>
    /// <c>sessions</c>: absent, or an array of session ids, each a string or <c>{session_id, token}</c>; a session bound to
    /// an <c>X-Session-Token</c> is taken over only with that token, or knowing its id would be enough to own it. Items
    /// of another form are passed over, not refused.
    /// </summary>
    private static bool SessionsField(RequestFields body, out IReadOnlyList<SessionClaim> conversations)
    {
        conversations = [];
        if (!body.TryGet("sessions", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        conversations = [.. list.EnumerateArray()
            .Select(Claimed)
            .OfType<SessionClaim>()
            .DistinctBy(c => c.SessionId, StringComparer.Ordinal)
            .Take(AccountsApi.MaxClaimedConversations)];
        return true;
    }

    private static SessionClaim? Claimed(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return SessionIds.IsValid(item.GetString()) ? new SessionClaim(item.GetString()!, null) : null;
        }
        var fields = new RequestFields(item);
        if (item.ValueKind != JsonValueKind.Object
            || fields.String("session_id", out var sessionId) != FieldState.Present || !SessionIds.IsValid(sessionId))
        {
            return null;
        }
        return fields.String("token", out var token) == FieldState.Present && SessionToken.IsValid(token)
            ? new SessionClaim(sessionId, token)
            : new SessionClaim(sessionId, null);
    }

    private static bool FrameField(RequestFields body, out bool frame)
    {
        frame = false;
        if (!body.TryGet("frame", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        frame = value.ValueKind == JsonValueKind.True;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }
}

/// <summary>An anonymous conversation a sign-in claims, with the token it is bound to, if any.</summary>
internal sealed record SessionClaim(string SessionId, string? Token);

/// <param name="SessionToken">Only for <c>frame: true</c>: what the widget's panel sends as <c>X-Sanctum-Session</c>.</param>
internal sealed record SignedIn(AccountView User, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? SessionToken);

internal sealed record AccountView(long Id, string Username, string? Role)
{
    public static AccountView Of(Account account) => new(account.Id, account.Username, account.Role);
}

internal sealed record SignOutResult(bool SignedOut);

/// <param name="Hidden">False shows the conversation again; left out or null, it is hidden.</param>
internal sealed record HideSessionRequest(string SessionId, bool Hidden) : IJsonRequest<HideSessionRequest>
{
    public static int MaxBytes => BodyLimits.Public;

    public static ValueTask<Parsed<HideSessionRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        var sessionId = SessionField.Read(body, requiredField: null);
        if (sessionId.Error is not null)
        {
            return ValueTask.FromResult(sessionId.Forward<HideSessionRequest>());
        }
        if (!body.TryGet("hidden", out var flag) || flag.ValueKind == JsonValueKind.Null)
        {
            return ValueTask.FromResult(Parsed<HideSessionRequest>.Ok(new HideSessionRequest(sessionId.Value, Hidden: true)));
        }
        return ValueTask.FromResult(flag.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? Parsed<HideSessionRequest>.Ok(new HideSessionRequest(sessionId.Value, flag.GetBoolean()))
            : Parsed<HideSessionRequest>.Fail(Envelope.BadRequest(Errors.InvalidRequestBody)));
    }
}

/// <param name="HiddenAt">When it was first hidden; null once shown again.</param>
internal sealed record HiddenSession(string SessionId, bool Hidden, DateTimeOffset? HiddenAt);

internal sealed record MySessionList(IReadOnlyList<UserConversation> Sessions, Pagination Pagination);
