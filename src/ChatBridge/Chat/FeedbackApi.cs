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
            .Accepts<FeedbackRequest>("application/json")
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
            .Accepts<SeenRequest>("application/json")
            .WithExamples(new SeenRequest("session_k3f9x2m4q8w1", 7), new SeenReplies("session_k3f9x2m4q8w1", 7, 1))
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .RateLimited(Limits.Seen);

        return chat;
    }

    private static async Task<Results<Ok<Envelope<ReplyRating>>, BadRequest<ErrorEnvelope>, PayloadTooLarge, NotFound<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostFeedback(
        HttpContext http, IFeedbackStore feedback, SessionGuard guard, TimeProvider time, CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var request = await SessionBody.ReadAsync(http, BodyLimits.Public, "response_id", ct);
        if (request.TooLarge is { } tooLarge)
        {
            return tooLarge;
        }
        if (request.Error is { } invalidRequest)
        {
            return invalidRequest;
        }
        var (body, sessionId) = request.Value;
        if (!JsonFields.HasAll(body, "rating"))
        {
            return Envelope.BadRequest(Errors.MissingRequiredFields);
        }
        if (!JsonFields.OptionalId(body, "response_id", out var responseId) || responseId is null)
        {
            return Envelope.BadRequest(Errors.InvalidResponseId);
        }
        if (JsonFields.String(body, "rating", out var rating) != FieldState.Present || rating is not ("up" or "down" or "none"))
        {
            return Envelope.BadRequest(Errors.InvalidRating);
        }
        var reason = ChatText.Optional(body, "reason", MaxReasonLength, Errors.InvalidReason);
        if (reason.Error is { } invalidReason)
        {
            return invalidReason;
        }
        if ((await guard.CheckAsync(http, sessionId, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        var stored = await feedback.RateAsync(
            sessionId, responseId.Value, rating == "none" ? null : rating, reason.Value.Length == 0 || rating == "none" ? null : reason.Value,
            Timestamps.Now(time), ct);
        return stored is null ? Envelope.NotFound(Errors.ResponseNotFound) : Envelope.Ok(stored);
    }

    private static async Task<Results<Ok<Envelope<SeenReplies>>, BadRequest<ErrorEnvelope>, PayloadTooLarge, NotFound<ErrorEnvelope>, JsonHttpResult<ErrorEnvelope>>> PostSeen(
        HttpContext http, IFeedbackStore feedback, SessionGuard guard, TimeProvider time, CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var request = await SessionBody.ReadAsync(http, BodyLimits.Public, "response_id", ct);
        if (request.TooLarge is { } tooLarge)
        {
            return tooLarge;
        }
        if (request.Error is { } invalidRequest)
        {
            return invalidRequest;
        }
        var (body, sessionId) = request.Value;
        if (!JsonFields.OptionalId(body, "response_id", out var responseId) || responseId is null)
        {
            return Envelope.BadRequest(Errors.InvalidResponseId);
        }
        if ((await guard.CheckAsync(http, sessionId, token.Value, ct)).Refusal is { } refused)
        {
            return refused;
        }
        var marked = await feedback.MarkSeenAsync(sessionId, responseId.Value, Timestamps.Now(time), ct);
        return marked is { } count ? Envelope.Ok(new SeenReplies(sessionId, responseId.Value, count)) : Envelope.NotFound(Errors.ResponseNotFound);
    }
}

internal sealed record FeedbackRequest(string SessionId, long ResponseId, string Rating, string? Reason = null);

internal sealed record SeenRequest(string SessionId, long ResponseId);

/// <param name="Marked">Replies newly marked seen by this call.</param>
internal sealed record SeenReplies(string SessionId, long ResponseId, int Marked);
