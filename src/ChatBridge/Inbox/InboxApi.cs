using ChatBridge.Attachments;
using ChatBridge.Chat;
using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Observability;
using ChatBridge.Presence;
using ChatBridge.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Inbox;

/// <summary>
/// Broca's actions, with a key as a Bearer token: an agent's own key (one Broca per agent, as Sanctum runs it) reaches
/// that agent's sessions only; the service-wide API key (or the admin key) every agent's.
/// </summary>
internal static class BrocaApi
{
    private const string Tag = "Broca (API key)";

    public static RouteGroupBuilder MapBrocaApi(this RouteGroupBuilder api)
    {
        var broca = api.MapGroup("").WithTags(Tag).RequireKey(Policies.Broca);

        broca.MapGet("/inbox", ClaimInbox)
            .WithName("inbox")
            .WithSummary("Claim new user messages (Broca)")
            .WithDescription("Returns unprocessed messages oldest first and marks them processed in the same step: concurrent pollers never hold "
                + "the same message at once. A claim is a lease: a message not answered within `ChatBridge:Inbox:ClaimTimeout` is "
                + "handed out again (same id, text, timestamp and uid), and never given up: one a working Broca left unanswered "
                + "`ChatBridge:Inbox:MaxDeliveries` times is stuck and handed out after a growing back-off until an admin drops or retries it. "
                + "An answer that could not be written to its poller releases its messages at once. An empty inbox is a 200 with `messages: []`. "
                + "`limit` defaults to 50 and is clamped to 100. With `wait` (seconds, 0 to 30), an empty inbox holds the request until "
                + "a message arrives (answered at once) or the wait ends (empty). With an agent's own key (`agent_key`), only messages of "
                + "that agent's sessions. A message's attachments follow its text, one line each: `[Image Attachment: URL]` for an image, "
                + "`[File Attachment: NAME (TYPE, SIZE): URL]` for any other file.")
            .WithExamples(data: new InboxBatch(
                [new InboxMessage { Id = 42, SessionId = "session_k3f9x2m4q8w1", Message = "Hello, Athena!", Timestamp = Example.At("2026-11-24T10:15:30.123Z"), Uid = "3f2a9c0b7d1e4f68", AgentId = 1 }],
                new Pagination(1, 50, 0, HasMore: false)))
            .RateLimited(Limits.Inbox);

        broca.MapPost("/outbox", PostReply)
            .WithName("outbox")
            .WithSummary("Post an agent reply (Broca)")
            .WithDescription("Stores a reply for the session's user. Without `message_id` the reply answers the session's oldest delivered, "
                + "unanswered message. An unknown session is `Invalid session`. A success is 200. With an agent's own key, a session of "
                + "another agent (or of none) is 403 `Session belongs to another agent`.")
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .WithExamples(
                new ReplyRequest("session_k3f9x2m4q8w1", "Hi! How can I help?", null, null),
                new ResponseAccepted(7, "session_k3f9x2m4q8w1", Example.At("2026-11-24T10:15:32.456Z"), 42))
            .RateLimited(Limits.Outbox);

        // Broca only, and cheap (no write): a rate limit would just make the indicator unreliable.
        broca.MapPost("/typing", SetTyping)
            .WithName("typing")
            .WithSummary("Show or hide the typing indicator (Broca)")
            .WithDescription("Pushes a `typing` event to the session's WebSockets. A `start` without a `stop` ends by itself after a short "
                + "timeout (15 s by default), and a reply ends it too. An unknown session is `Invalid session`; with an agent's own key, "
                + "a session of another agent (or of none) is 403 `Session belongs to another agent`.")
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .WithExamples(new TypingRequest("session_k3f9x2m4q8w1", TypingState.Start), new TypingRequest("session_k3f9x2m4q8w1", TypingState.Start));

        return api;
    }

    private static async Task<Results<Ok<Envelope<InboxBatch>>, BadRequest<ErrorEnvelope>>> ClaimInbox(
        [AsParameters] InboxQuery query, HttpContext http, InboxDelivery delivery, NotificationHub hub, LongPoller poller, AttachmentLinks links,
        BrocaPresence presence, CancellationToken ct)
    {
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        var since = QueryParams.OptionalTimestamp(query.Since, "since");
        var wait = QueryParams.Int(query.Wait, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        if ((limit.Error ?? offset.Error ?? since.Error ?? wait.Error) is { } invalid)
        {
            return invalid;
        }
        var agentId = Caller.KeyAgent(http.User);
        await presence.NotePollAsync(agentId, wait.Value, ct);
        using var watch = wait.Value > 0 ? hub.WatchInbox() : null;
        var page = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            token => delivery.ClaimAsync(limit.Value, offset.Value, since.Value, agentId, Pollers.Of(http.User), token),
            found => found.Messages.Count > 0,
            ct);
        if (page.Messages.Count > 0)
        {
            // A poller that hangs up before its answer is written never gets these: they go back now, not at lease end.
            // The watch ends with the request, so a later abort of the same connection cannot touch a delivered answer.
            var release = http.RequestAborted.Register(() => delivery.Release(page.Messages));
            http.Response.OnCompleted(() =>
            {
                release.Dispose();
                return Task.CompletedTask;
            });
        }
        return Envelope.Ok(new InboxBatch(
            [.. page.Messages.Select(m => m with { Message = links.ForAgent(m.Message, m.Attachments, http) })],
            new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Messages.Count < page.Total)));
    }

    private static Task<Results<Ok<Envelope<ResponseAccepted>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostReply(
        Body<ReplyRequest> body, HttpContext http, IReplyStore replies, IRealtimeBus bus, TypingTimers typing, BridgeMetrics metrics, CancellationToken ct) =>
        Replies.StoreAsync(body.Value, ReplyAuthor.Agent, Caller.KeyAgent(http.User), replies, bus, typing, metrics, ct, Pollers.Of(http.User));

    private static async Task<Results<Ok<Envelope<TypingRequest>>, BadRequest<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> SetTyping(
        Body<TypingRequest> body, HttpContext http, ISessionStore sessions, TypingTimers typing, CancellationToken ct)
    {
        var (sessionId, state) = body.Value;
        if (await sessions.FindOwnersAsync(sessionId, ct) is not { } owners)
        {
            return Envelope.BadRequest(Errors.InvalidSession);
        }
        if (Caller.KeyAgent(http.User) is { } keyAgent && owners.AgentId != keyAgent)
        {
            return Envelope.Forbidden(Errors.SessionOfAnotherAgent);
        }
        if (state == TypingState.Start)
        {
            typing.Start(sessionId);
        }
        else
        {
            typing.Stop(sessionId);
        }
        return Envelope.Ok(new TypingRequest(sessionId, state));
    }
}

internal sealed record InboxQuery
{
    [FromQuery(Name = "limit")]
    public QueryNumber? Limit { get; init; }

    [FromQuery(Name = "offset")]
    public QueryNumber? Offset { get; init; }

    [FromQuery(Name = "since")]
    public string? Since { get; init; }

    [FromQuery(Name = "wait")]
    public QueryNumber? Wait { get; init; }
}

internal sealed record InboxBatch(IReadOnlyList<InboxMessage> Messages, Pagination Pagination);

/// <summary>The body of <c>typing</c>, and its answer: <c>state</c> is <c>start</c> or <c>stop</c>.</summary>
internal sealed record TypingRequest(string SessionId, string State) : IJsonRequest<TypingRequest>
{
    public static int MaxBytes => BodyLimits.Authenticated;

    public static ValueTask<Parsed<TypingRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        var sessionId = SessionField.Read(body, "state");
        if (sessionId.Error is not null)
        {
            return ValueTask.FromResult(sessionId.Forward<TypingRequest>());
        }
        return ValueTask.FromResult(body.String("state", out var state) == FieldState.Present && state is TypingState.Start or TypingState.Stop
            ? Parsed<TypingRequest>.Ok(new TypingRequest(sessionId.Value, state))
            : Parsed<TypingRequest>.Fail(Envelope.BadRequest(Errors.InvalidTypingState)));
    }
}
