using ChatBridge.Events;
using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Chat;

/// <summary>
/// <c>feedback</c> and <c>seen</c>: what the visitor's page says about the replies it shows. Public like
/// <c>messages</c>, with the same session-token rules.
/// </summary>
internal static class FeedbackApi
{
    public const int MaxReasonLength = 500;

    public static RouteGroupBuilder MapFeedbackApi(this RouteGroupBuilder chat)
    {
        chat.MapPost("/feedback", PostFeedback)
            .WithName("feedback")
            .WithSummary("Rate an agent's reply")
            .WithDescription("`rating` is `up`, `down` or `none` (takes a rating back). One rating per reply, changed in place. `reason` is optional "
                + "text, trimmed, at most 500 characters (the page sends a code such as `wrong`, `unhelpful`, `unsafe` or `other`, maybe followed by "
                + "`: ` and free text). A reply that is not the session's is 404 `Response not found`. " + ChatApi.TokenRules)
            .WithExamples(
                new FeedbackRequest("session_k3f9x2m4q8w1", 7, "down", "wrong: the opening hours are out of date"),
                new ReplyRating(7, "down", "wrong: the opening hours are out of date", Example.At("2026-11-24T10:16:02.000Z")))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.Feedback);

        chat.MapPost("/seen", PostSeen)
            .WithName("seen")
            .WithSummary("Report the replies the page has shown")
            .WithDescription("`response_id` is the newest reply the page has shown: every reply of the session up to it gets `seen_at` (the first "
                + "time only), which the admin transcript shows as a read receipt. `marked` counts the replies newly marked. A reply that is "
                + "not the session's is 404 `Response not found`. " + ChatApi.TokenRules)
            .WithExamples(new SeenRequest("session_k3f9x2m4q8w1", 7), new SeenReplies("session_k3f9x2m4q8w1", 7, 1))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.Seen);

        return chat;
    }

    private static async Task<Results<Ok<Envelope<ReplyRating>>, BadRequest<ErrorEnvelope>, NotFound<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostFeedback(
        Body<FeedbackRequest> body, HttpContext http, IFeedbackStore feedback, SessionGuard guard, IRealtimeBus bus, TimeProvider time,
        CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var (sessionId, responseId, rating, reason) = body.Value;
        if ((await guard.CheckAsync(http, sessionId, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        var stored = await feedback.RateAsync(
            sessionId, responseId, rating == "none" ? null : rating, reason.Length == 0 || rating == "none" ? null : reason,
            Timestamps.Now(time), ct);
        if (stored is null)
        {
            return Envelope.NotFound(Errors.ResponseNotFound);
        }
        bus.Publish(new ReceiptEvent(sessionId, responseId, ReceiptEvent.Feedback));
        return Envelope.Ok(stored);
    }

    private static async Task<Results<Ok<Envelope<SeenReplies>>, BadRequest<ErrorEnvelope>, NotFound<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostSeen(
        Body<SeenRequest> body, HttpContext http, IFeedbackStore feedback, SessionGuard guard, IRealtimeBus bus, TimeProvider time,
        CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var (sessionId, responseId) = body.Value;
        if ((await guard.CheckAsync(http, sessionId, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        if (await feedback.MarkSeenAsync(sessionId, responseId, Timestamps.Now(time), ct) is not { } marked)
        {
            return Envelope.NotFound(Errors.ResponseNotFound);
        }
        // A report of replies already seen changes nothing the console shows.
        if (marked > 0)
        {
            bus.Publish(new ReceiptEvent(sessionId, responseId, ReceiptEvent.Seen));
        }
        return Envelope.Ok(new SeenReplies(sessionId, responseId, marked));
    }
}

/// <param name="Rating"><c>up</c>, <c>down</c>, or <c>none</c> to take a rating back.</param>
/// <param name="Reason">Trimmed; empty when not given.</param>
internal sealed record FeedbackRequest(string SessionId, long ResponseId, string Rating, string Reason) : IJsonRequest<FeedbackRequest>
{
    public static int MaxBytes => BodyLimits.Public;

    public static ValueTask<Parsed<FeedbackRequest>> ReadAsync(RequestFields body, HttpContext http) => ValueTask.FromResult(Read(body));

    private static Parsed<FeedbackRequest> Read(RequestFields body)
    {
        var sessionId = SessionField.Read(body, "response_id");
        if (sessionId.Error is not null)
        {
            return sessionId.Forward<FeedbackRequest>();
        }
        if (!body.HasAll("rating"))
        {
            return Parsed<FeedbackRequest>.Fail(Envelope.BadRequest(Errors.MissingRequiredFields));
        }
        if (!body.OptionalId("response_id", out var responseId) || responseId is not { } id)
        {
            return Parsed<FeedbackRequest>.Fail(Envelope.BadRequest(Errors.InvalidResponseId));
        }
        if (body.String("rating", out var rating) != FieldState.Present || rating is not ("up" or "down" or "none"))
        {
            return Parsed<FeedbackRequest>.Fail(Envelope.BadRequest(Errors.InvalidRating));
        }
        var reason = ChatText.Optional(body, "reason", FeedbackApi.MaxReasonLength, Errors.InvalidReason);
        return reason.Error is null
            ? Parsed<FeedbackRequest>.Ok(new FeedbackRequest(sessionId.Value, id, rating, reason.Value))
            : reason.Forward<FeedbackRequest>();
    }
}

internal sealed record SeenRequest(string SessionId, long ResponseId) : IJsonRequest<SeenRequest>
{
    public static int MaxBytes => BodyLimits.Public;

    public static ValueTask<Parsed<SeenRequest>> ReadAsync(RequestFields body, HttpContext http)
    {
        var sessionId = SessionField.Read(body, "response_id");
        if (sessionId.Error is not null)
        {
            return ValueTask.FromResult(sessionId.Forward<SeenRequest>());
        }
        return ValueTask.FromResult(body.OptionalId("response_id", out var responseId) && responseId is { } id
            ? Parsed<SeenRequest>.Ok(new SeenRequest(sessionId.Value, id))
            : Parsed<SeenRequest>.Fail(Envelope.BadRequest(Errors.InvalidResponseId)));
    }
}

/// <param name="Marked">Replies newly marked seen by this call.</param>
internal sealed record SeenReplies(string SessionId, long ResponseId, int Marked);
