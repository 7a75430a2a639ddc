using System.Text.Json;
using ChatBridge.Attachments;
using ChatBridge.Chat;
using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Admin;

/// <summary>The admin page's and the control app's actions: the admin key as a Bearer token.</summary>
internal static class AdminApi
{
    /// <summary>Longer than any id or uid, and enough for a phrase: a longer search is a typo or an attack on the LIKE.</summary>
    private const int MaxSearchLength = 200;

    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapGet("/sessions", ListSessions)
            .WithName("sessions")
            .WithSummary("List chat sessions (admin)")
            .WithDescription("Sessions newest activity first, with message and response counts. `active=true` (the default) lists sessions "
                + "active within `session_timeout`; `active=false` lists all. `limit` defaults to 50 and is clamped to 100. Filters: `q` "
                + "(part of the session id, the uid, or a message's or reply's text; ASCII case ignored), `agent_id`, `waiting=true` (sessions "
                + "with a message no reply has answered yet), `rated=down` or `rated=up` (sessions with a reply the visitor rated so). "
                + "`hidden_at` is set for a session its signed-in owner removed from their list. The hourly limit does not count requests made with the admin key.")
            .WithExamples(data: new SessionList([ExampleSession], new Pagination(1, 50, 0, HasMore: false)))
            .RateLimited(Limits.Sessions);

        admin.MapGet("/backlog", ListBacklog)
            .WithName("backlog")
            .WithSummary("Messages waiting for an answer (admin)")
            .WithDescription("Every message no reply has answered yet and no admin has dropped, oldest first, with its age in seconds: pending, "
                + "delivered, and exhausted (stuck: a Broca that went on working left it unanswered `MaxDeliveries` times; it is handed out again "
                + "from `next_delivery_at` until an admin drops or retries it). `limit` defaults to 50 and is clamped to 100.")
            .WithExamples(data: new BacklogList([ExampleBacklogMessage], new Pagination(1, 50, 0, HasMore: false)));

        admin.MapGet("/admin_events", WaitForChanges)
            .WithName("admin_events")
            .WithSummary("Wait for changes across all sessions (admin long poll)")
            .WithDescription("What changed since `after` (the `cursor` of the previous answer): a user's `message`, a `response` (with its "
                + "`author`), a delivery `status`, a visitor's `feedback` on a reply or replies `seen` for the first time. Without `after` "
                + "it answers at once with no events and the current cursor, the place to start from. With `wait` (seconds, 0 to 30) and "
                + "nothing new, the request is held until something happens or the wait ends. `reset: true` means the cursor cannot be "
                + "continued (the bridge restarted, over 1024 events passed, or this instance may have missed other instances' events): reload, "
                + "then go on from the new cursor. The key goes in the "
                + "Authorization header, never in the URL.")
            .WithExamples(data: new AdminEventPage(
                [new AdminEvent("response", "session_k3f9x2m4q8w1", MessageId: 42, ResponseId: 7, Author: ReplyAuthor.Agent)], "3f9a2c1b-18", Reset: false));

        admin.MapGet("/session_messages", GetTranscript)
            .WithName("session_messages")
            .WithSummary("A session's whole transcript (admin)")
            .WithDescription("The session, its messages with delivery state, and its responses, oldest first. An unknown session is a 404.")
            .WithExamples(data: new SessionTranscript(ExampleSession, [ChatApi.ExampleTranscriptMessage], [ChatApi.ExampleConversationReply]));

        admin.MapPost("/reply", PostPersonReply)
            .WithName("reply")
            .WithSummary("Answer a user as a person (admin)")
            .WithDescription("Stores a reply written by a person in the admin console, with `author: admin`; the user's open chat gets it at once "
                + "and shows it as from a person. Same body and rules as `outbox`: without `message_id` it answers the session's oldest "
                + "delivered, unanswered message. An unknown session is `Invalid session`.")
            .WithExamples(
                new ReplyRequest("session_k3f9x2m4q8w1", "Hello, I'm Sam from support. Let me look into this.", 42, null),
                new ResponseAccepted(8, "session_k3f9x2m4q8w1", Example.At("2026-11-24T10:16:02.000Z"), 42));

        return api;
    }

    private static readonly SessionView ExampleSession = new(
        "session_k3f9x2m4q8w1", "3f2a9c0b7d1e4f68", Example.At("2026-11-24T10:15:30.123Z"), Example.At("2026-11-24T10:20:00.000Z"), "127.0.0.1",
        JsonDocument.Parse("{}").RootElement.Clone(), "active", 3, 2, 0, 3, "ada", 1);

    private static readonly BacklogMessage ExampleBacklogMessage = new()
    {
        Id = 42, SessionId = "session_k3f9x2m4q8w1", Message = "Hello, Athena!", Timestamp = Example.At("2026-11-24T10:15:30.123Z"), Status = "delivered",
        ProcessedAt = Example.At("2026-11-24T10:15:31.000Z"), DeliveryCount = 3, Strikes = 3, Exhausted = true,
        NextDeliveryAt = Example.At("2026-11-24T10:41:31.000Z"), Uid = "3f2a9c0b7d1e4f68", AgentId = 1, AgeSeconds = 1260,
    };

    private static async Task<Results<Ok<Envelope<SessionList>>, BadRequest<ErrorEnvelope>>> ListSessions(
        [AsParameters] SessionsQuery query, IAdminStore sessions, SettingsStore settings, TimeProvider time, CancellationToken ct)
    {
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        var active = QueryParams.Bool(query.Active, "active", fallback: true);
        var agentId = QueryParams.OptionalId(query.AgentId?.Text, "agent_id");
        var waiting = QueryParams.Bool(query.Waiting, "waiting", fallback: false);
        var text = QueryParams.OptionalText(query.Q, "q", MaxSearchLength);
        if ((limit.Error ?? offset.Error ?? active.Error ?? agentId.Error ?? waiting.Error ?? text.Error) is { } invalid)
        {
            return invalid;
        }
        if (query.Rated is not (null or "up" or "down"))
        {
            return Envelope.BadRequest(Errors.InvalidParameter("rated"));
        }
        var activeSince = active.Value
            ? time.GetUtcNow().AddSeconds(-(await settings.GetAsync(ct)).SessionTimeoutSeconds)
            : (DateTimeOffset?)null;
        var filter = new SessionFilter(activeSince, agentId.Value, waiting.Value, text.Value, query.Rated);
        var page = await sessions.ListSessionsAsync(filter, limit.Value, offset.Value, ct);
        return Envelope.Ok(new SessionList(
            [.. page.Sessions.Select(SessionView.From)],
            new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Sessions.Count < page.Total)));
    }

    private static async Task<Results<Ok<Envelope<BacklogList>>, BadRequest<ErrorEnvelope>>> ListBacklog(
        [AsParameters] PageQuery query, IAdminStore sessions, TimeProvider time, CancellationToken ct)
    {
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        if ((limit.Error ?? offset.Error) is { } invalid)
        {
            return invalid;
        }
        var page = await sessions.GetBacklogAsync(time.GetUtcNow(), limit.Value, offset.Value, ct);
        return Envelope.Ok(new BacklogList(
            page.Messages,
            new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Messages.Count < page.Total)));
    }

    private static async Task<Results<Ok<Envelope<AdminEventPage>>, BadRequest<ErrorEnvelope>>> WaitForChanges(
        [AsParameters] AdminEventsQuery query, AdminFeed feed, NotificationHub hub, LongPoller poller, CancellationToken ct)
    {
        var wait = QueryParams.Int(query.Wait, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        AdminCursor? after = null;
        if (!string.IsNullOrEmpty(query.After) && !AdminCursor.TryParse(query.After, out after))
        {
            return Envelope.BadRequest(Errors.InvalidParameter("after"));
        }
        if (wait.Error is { } invalid)
        {
            return invalid;
        }
        // Without a cursor there is nothing to wait for: the caller learns where "now" is.
        using var watch = wait.Value > 0 && after is not null ? hub.WatchAdmin() : null;
        var page = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            _ => Task.FromResult(feed.Read(after)),
            found => found.Events.Count > 0 || found.Reset,
            ct);
        return Envelope.Ok(page);
    }

    private static async Task<Results<Ok<Envelope<SessionTranscript>>, BadRequest<ErrorEnvelope>, NotFound<ErrorEnvelope>>> GetTranscript(
        [FromQuery(Name = "session_id")] string? sessionIdText, HttpContext http, IAdminStore sessions, AttachmentLinks links, CancellationToken ct)
    {
        var sessionId = SessionIds.FromQuery(sessionIdText);
        if (sessionId.Error is { } invalid)
        {
            return invalid;
        }
        if (await sessions.GetTranscriptAsync(sessionId.Value, ct) is not { } transcript)
        {
            return Envelope.NotFound(Errors.SessionNotFound);
        }
        return Envelope.Ok(new SessionTranscript(
            SessionView.From(transcript.Session), [.. transcript.Messages.Select(m => m with { Attachments = links.Absolute(m.Attachments, http) })],
            transcript.Responses));
    }

    private static Task<Results<Ok<Envelope<ResponseAccepted>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostPersonReply(
        Body<ReplyRequest> body, IReplyStore replies, IRealtimeBus bus, TypingTimers typing, BridgeMetrics metrics, CancellationToken ct) =>
        Replies.StoreAsync(body.Value, ReplyAuthor.Admin, onlyAgent: null, replies, bus, typing, metrics, ct);
}

internal sealed record SessionsQuery
{
    [FromQuery(Name = "limit")]
    public QueryNumber? Limit { get; init; }

    [FromQuery(Name = "offset")]
    public QueryNumber? Offset { get; init; }

    [FromQuery(Name = "active")]
    public string? Active { get; init; }

    [FromQuery(Name = "agent_id")]
    public QueryNumber? AgentId { get; init; }

    [FromQuery(Name = "waiting")]
    public string? Waiting { get; init; }

    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    [FromQuery(Name = "rated")]
    public string? Rated { get; init; }
}

internal sealed record AdminEventsQuery
{
    [FromQuery(Name = "after")]
    public string? After { get; init; }

    [FromQuery(Name = "wait")]
    public QueryNumber? Wait { get; init; }
}

internal sealed record BacklogList(IReadOnlyList<BacklogMessage> Messages, Pagination Pagination);

internal sealed record SessionList(IReadOnlyList<SessionView> Sessions, Pagination Pagination);

internal sealed record SessionTranscript(SessionView Session, IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ConversationReply> Responses);
