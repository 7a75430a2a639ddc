using ChatBridge.Agents;
using ChatBridge.Attachments;
using ChatBridge.Configuration;
using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChatBridge.Chat;

/// <summary>The chat UI's actions: public (the session id is the only handle), open to other origins, rate limited per IP.</summary>
internal static class ChatApi
{
    private const int MaxUserAgentLength = 512;

    public static RouteGroupBuilder MapChatApi(this RouteGroupBuilder api)
    {
        var chat = api.MapGroup("").WithTags(ChatTag.Name).RequireCors(Cors.Public).RequireSignInWhenPrivate();

        chat.MapPost("/messages", PostMessage)
            .WithName("messages")
            .WithSummary("Send a user message")
            .WithDescription("Stores a message from the chat UI for Broca to pick up from the inbox. The session is created on first use. "
                + "`message` is trimmed and must hold 1 to `max_message_length` characters; `agent_id` must name an active agent. "
                + "`attachments` lists `attachment_id`s of the session's uploads not sent yet (at most `ChatBridge:Attachments:MaxFilesPerMessage`); "
                + "with one or more, `message` may be empty or left out. They are stored with the message or, `Invalid attachments`, not at all. "
                + TokenRules
                + " `client_message_id` (a UUID, else `Invalid client_message_id`) makes a retry safe: the same id again for the session stores "
                + "nothing and answers exactly as the first send did (same `message_id`, `timestamp`, `uid`, `is_new_user`), also after a "
                + "restart and on another instance.")
            .WithExamples(
                new MessageRequest("session_k3f9x2m4q8w1", "Hello, Athena!", "2026-11-24T10:15:30.123Z", 1, [], "6f1c2b9e-4d3a-4f8e-9b7c-0a1d2e3f4a5b"),
                new MessageAccepted(42, "session_k3f9x2m4q8w1", "2026-11-24T10:15:30.123Z", "3f2a9c0b7d1e4f68", IsNewUser: true))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.Messages);

        chat.MapGet("/responses", GetResponses)
            .WithName("responses")
            .WithSummary("Poll agent replies for a session")
            .WithDescription("Returns the session's replies oldest first. `after_id` (the last id you have) never misses or repeats a reply; "
                + "`since` (a timestamp, strictly after) is kept for older clients. An unknown session is created. "
                + "With `wait` (seconds, 0 to 30), a poll that finds nothing is held until a reply arrives (answered at once) or the wait ends (empty). "
                + TokenRules)
            .WithExamples(data: new SessionResponses("session_k3f9x2m4q8w1", [ExampleResponse]))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.Responses);

        chat.MapGet("/history", GetHistory)
            .WithName("history")
            .WithSummary("A session's conversation, for a reloaded page")
            .WithDescription("The session's messages, each with its delivery status (`pending`, `delivered` once Broca claimed it, `answered`), "
                + "and its responses, oldest first. `after_id` keeps only items with a larger id (messages and responses each by their own id). "
                + "An unknown session has an empty history. Each reply carries the visitor's `rating`, `reason`, `rated_at` (`feedback`) and "
                + "`seen_at` (`seen`), each left out while unset. " + TokenRules)
            .WithExamples(data: new SessionHistory("session_k3f9x2m4q8w1", [ExampleTranscriptMessage], [ExampleConversationReply]))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.History);

        chat.MapFeedbackApi();
        return api;
    }

    /// <summary>The session-token rules every public action of a session follows, for its description.</summary>
    internal const string TokenRules =
        "`X-Session-Token` (32 to 128 of `A-Z a-z 0-9 _ -`; malformed is 400 `Invalid session token`): the request that creates a session "
        + "binds it to the token; from then on the session answers only to that token or its signed-in owner, else 403 `Invalid session token`. "
        + "A session created without one works without one (unless `ChatBridge:Chat:LegacySessions` is `refuse`).";

    internal static readonly ResponseItem ExampleResponse = new() { Id = 7, Response = "Hi! How can I help?", Timestamp = Example.At("2026-11-24T10:15:32.456Z"), MessageId = 42 };

    internal static readonly ConversationReply ExampleConversationReply = new()
    {
        Id = 7, Response = "Hi! How can I help?", Timestamp = Example.At("2026-11-24T10:15:32.456Z"), MessageId = 42,
        Rating = "up", RatedAt = Example.At("2026-11-24T10:15:40.000Z"), SeenAt = Example.At("2026-11-24T10:15:33.000Z"),
    };

    internal static readonly TranscriptMessage ExampleTranscriptMessage = new()
    {
        Id = 42, SessionId = "session_k3f9x2m4q8w1", Message = "Hello, Athena!", Timestamp = Example.At("2026-11-24T10:15:30.123Z"),
        Status = "answered", ProcessedAt = Example.At("2026-11-24T10:15:31.000Z"), AnsweredAt = Example.At("2026-11-24T10:15:32.456Z"),
    };

    private static async Task<Results<Ok<Envelope<MessageAccepted>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostMessage(
        Body<MessageRequest> body, HttpContext http, ISessionStore sessions, IAgentStore agents, IRealtimeBus bus, BridgeMetrics metrics,
        SessionGuard guard, CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var (sessionId, text, clientTimestamp, agentId, attachments, clientMessageId) = body.Value;
        // An agent the caller may not use answers as one that does not exist: its existence is not for them to learn.
        if (agentId is { } id && (await agents.GetAgentAsync(id, ct))?.IsUsableBy(Caller.Of(http.User)) != true)
        {
            return Envelope.BadRequest(Errors.InvalidAgentId);
        }
        var access = await guard.CheckAsync(http, sessionId, token.Value, ct);
        if (access.Refusal is { } refused)
        {
            return refused;
        }

        string userAgent = http.Request.Headers.UserAgent.ToString();
        var (written, refusal) = await sessions.AddMessageAsync(
            new NewMessage(sessionId, text, clientTimestamp, agentId, ClientAddress.Of(http), userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)],
                Caller.Of(http.User).UserId, attachments, token.Value, access.ByOwnership, clientMessageId),
            ct);
        switch (refusal)
        {
            case MessageRefusal.InvalidAttachments:
                return Envelope.BadRequest(Errors.InvalidAttachments);
            case MessageRefusal.InvalidSessionToken:
                return Envelope.Forbidden(Errors.InvalidSessionToken);
        }
        var stored = written!.Value;
        if (!stored.Duplicate)
        {
            metrics.MessageReceived(agentId);
            bus.Publish(new MessageStoredEvent(stored.SessionId, stored.MessageId));
        }
        await written.Durable;
        return Envelope.Ok(new MessageAccepted(stored.MessageId, stored.SessionId, stored.ClientTimestamp ?? Timestamps.Format(stored.Timestamp), stored.Uid, stored.IsNewUser));
    }

    private static async Task<Results<Ok<Envelope<SessionResponses>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> GetResponses(
        [AsParameters] ResponsesQuery query, HttpContext http, ISessionStore sessions, NotificationHub hub, LongPoller poller, SessionGuard guard,
        CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        var sessionId = SessionIds.FromQuery(query.SessionId);
        var since = QueryParams.OptionalTimestamp(query.Since, "since");
        var afterId = QueryParams.OptionalId(query.AfterId?.Text, "after_id");
        var wait = QueryParams.Int(query.Wait, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        if ((token.Error ?? sessionId.Error ?? since.Error ?? afterId.Error ?? wait.Error) is { } invalid)
        {
            return invalid;
        }
        if ((await guard.CheckAsync(http, sessionId.Value, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        var client = ClientAddress.Of(http);
        var userAgent = http.Request.Headers.UserAgent.ToString();
        using var watch = wait.Value > 0 ? hub.Watch(sessionId.Value) : null;
        var responses = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            poll => sessions.GetResponsesAsync(sessionId.Value, since.Value, afterId.Value, client, userAgent, token.Value, poll),
            found => found.Count > 0,
            ct);
        return Envelope.Ok(new SessionResponses(sessionId.Value, responses));
    }

    private static async Task<Results<Ok<Envelope<SessionHistory>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> GetHistory(
        [AsParameters] HistoryQuery query, HttpContext http, ISessionStore sessions, AttachmentLinks links, SessionGuard guard, CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        var sessionId = SessionIds.FromQuery(query.SessionId);
        var afterId = QueryParams.OptionalId(query.AfterId?.Text, "after_id");
        if ((token.Error ?? sessionId.Error ?? afterId.Error) is { } invalid)
        {
            return invalid;
        }
        if ((await guard.CheckAsync(http, sessionId.Value, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        var (messages, responses) = await sessions.GetHistoryAsync(sessionId.Value, afterId.Value, ct);
        return Envelope.Ok(new SessionHistory(sessionId.Value, [.. messages.Select(m => m with { Attachments = links.Absolute(m.Attachments, http) })], responses));
    }
}

/// <summary>The body of <c>messages</c>.</summary>
/// <param name="Message">Trimmed; empty only when the message carries attachments.</param>
/// <param name="Timestamp">The client's own time, kept as sent.</param>
/// <param name="Attachments">Ids of the session's uploads not sent yet.</param>
/// <param name="ClientMessageId">A UUID the client makes per message: the same one again stores nothing new.</param>
internal sealed record MessageRequest(
    string SessionId, string Message, string? Timestamp, long? AgentId, IReadOnlyList<string> Attachments, string? ClientMessageId)
    : IJsonRequest<MessageRequest>
{
    public static int MaxBytes => BodyLimits.Public;

    public static async ValueTask<Parsed<MessageRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        var sessionId = SessionField.Read(body, requiredField: null);
        if (sessionId.Error is not null)
        {
            return sessionId.Forward<MessageRequest>();
        }
        var services = http.RequestServices;
        var attachments = AttachmentIds.Read(body, services.GetRequiredService<IOptions<ChatBridgeOptions>>().Value.Attachments.MaxFilesPerMessage);
        if (attachments.Error is not null)
        {
            return attachments.Forward<MessageRequest>();
        }
        var maxLength = (await services.GetRequiredService<SettingsStore>().GetAsync(http.RequestAborted)).MaxMessageLength;
        // A message carrying files may say nothing more.
        var text = attachments.Value.Count > 0
            ? ChatText.Optional(body, "message", maxLength, Errors.InvalidMessage)
            : ChatText.Required(body, "message", maxLength, Errors.InvalidMessage);
        if (text.Error is not null)
        {
            return text.Forward<MessageRequest>();
        }
        if (!body.OptionalTimestamp("timestamp", out var timestamp))
        {
            return Parsed<MessageRequest>.Fail(Envelope.BadRequest(Errors.InvalidTimestamp));
        }
        if (!ClientMessageIds.TryRead(body, out var clientMessageId))
        {
            return Parsed<MessageRequest>.Fail(Envelope.BadRequest(Errors.InvalidClientMessageId));
        }
        if (!body.OptionalId("agent_id", out var agentId))
        {
            return Parsed<MessageRequest>.Fail(Envelope.BadRequest(Errors.InvalidAgentId));
        }
        return Parsed<MessageRequest>.Ok(new MessageRequest(sessionId.Value, text.Value, timestamp, agentId, attachments.Value, clientMessageId));
    }
}

internal sealed record MessageAccepted(long MessageId, string SessionId, string Timestamp, string Uid, bool IsNewUser);

internal sealed record ResponsesQuery
{
    [FromQuery(Name = "session_id")]
    public string? SessionId { get; init; }

    [FromQuery(Name = "after_id")]
    public QueryNumber? AfterId { get; init; }

    [FromQuery(Name = "since")]
    public string? Since { get; init; }

    [FromQuery(Name = "wait")]
    public QueryNumber? Wait { get; init; }
}

internal sealed record SessionResponses(string SessionId, IReadOnlyList<ResponseItem> Responses);

internal sealed record HistoryQuery
{
    [FromQuery(Name = "session_id")]
    public string? SessionId { get; init; }

    [FromQuery(Name = "after_id")]
    public QueryNumber? AfterId { get; init; }
}

internal sealed record SessionHistory(string SessionId, IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses);

