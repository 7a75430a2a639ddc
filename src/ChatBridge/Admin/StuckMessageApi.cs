using ChatBridge.Events;
using ChatBridge.Http;
using ChatBridge.Inbox;

namespace ChatBridge.Admin;

/// <summary>
/// The admin's word on a message the inbox cannot settle by itself: a stuck one (a working Broca kept leaving it
/// unanswered) leaves the inbox only when an admin drops it, or starts afresh when they retry it.
/// </summary>
internal static class StuckMessageApi
{
    public static RouteGroupBuilder MapStuckMessageApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapPost("/drop_message", DropMessage)
            .WithName("drop_message")
            .WithSummary("Never hand a message to Broca again (admin)")
            .WithDescription("Takes unanswered message `message_id` out of the inbox for good (a live claim ends with it): `history` and "
                + "`session_messages` show it as `dropped`, and the backlog no longer lists it. A reply may still answer it. Dropping a "
                + "dropped message changes nothing. An unknown message is `Invalid message_id`; an answered one is 409 `Message already answered`.")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict)
            .WithExamples(new MessageRef(42), new SettledView(42, "session_k3f9x2m4q8w1", MessageStatus.Dropped, 3, 4));

        admin.MapPost("/retry_message", RetryMessage)
            .WithName("retry_message")
            .WithSummary("Hand a message to Broca again now (admin)")
            .WithDescription("Forgets the strikes and back-off of unanswered message `message_id`, so the next inbox poll gets it (a message "
                + "Broca holds right now keeps its claim, and comes back if the claim lapses). An unknown message is `Invalid message_id`; "
                + "an answered one is 409 `Message already answered`, a dropped one 409 `Message was dropped`.")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict)
            .WithExamples(new MessageRef(42), new SettledView(42, "session_k3f9x2m4q8w1", MessageStatus.Pending, 3, 0));

        return api;
    }

    private static Task<IResult> DropMessage(Body<MessageRef> body, HttpContext http, InboxDelivery delivery, ILogger<MessageRef> logger, CancellationToken ct) =>
        SettleAsync(body.Value.MessageId, http, MessageStatus.Dropped, delivery.DropAsync, logger, ct);

    private static Task<IResult> RetryMessage(Body<MessageRef> body, HttpContext http, InboxDelivery delivery, ILogger<MessageRef> logger, CancellationToken ct) =>
        SettleAsync(body.Value.MessageId, http, MessageStatus.Pending, delivery.RetryAsync, logger, ct);

    private static async Task<IResult> SettleAsync(
        long id, HttpContext http, string status, Func<long, CancellationToken, Task<SettledMessage>> settle, ILogger logger, CancellationToken ct)
    {
        var settled = await settle(id, ct);
        switch (settled.Outcome)
        {
            case SettleOutcome.UnknownMessage:
                return Envelope.BadRequest(Errors.InvalidMessageId);
            case SettleOutcome.AlreadyAnswered:
                return Envelope.Fail(StatusCodes.Status409Conflict, Errors.MessageAlreadyAnswered);
            case SettleOutcome.AlreadyDropped:
                return Envelope.Fail(StatusCodes.Status409Conflict, Errors.MessageDropped);
        }
        var message = settled.Message!;
        logger.LogInformation("Message {MessageId} of {SessionId} set {Status} by an admin from {Client}", id, message.SessionId, status, ClientAddress.Of(http));
        return Envelope.Ok(new SettledView(id, message.SessionId, status, message.DeliveryCount, message.Strikes));
    }
}

/// <summary>The body of <c>drop_message</c> and <c>retry_message</c>.</summary>
internal sealed record MessageRef(long MessageId) : IJsonRequest<MessageRef>
{
    public static int MaxBytes => BodyLimits.Authenticated;

    public static ValueTask<Parsed<MessageRef>> ReadAsync(RequestFields body, HttpContext http)
    {
        var id = body.RequiredId("message_id", Errors.InvalidMessageId);
        return ValueTask.FromResult(id.Error is null ? Parsed<MessageRef>.Ok(new MessageRef(id.Value)) : id.Forward<MessageRef>());
    }
}

/// <summary>The message as an admin's drop or retry left it: <c>dropped</c>, or <c>pending</c> (due at once) after a retry.</summary>
internal sealed record SettledView(long MessageId, string SessionId, string Status, int DeliveryCount, int Strikes);
