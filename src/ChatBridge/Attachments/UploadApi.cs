using System.Runtime.InteropServices;
using ChatBridge.Configuration;
using ChatBridge.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChatBridge.Attachments;

/// <summary>
/// <c>upload</c>: one file per call, public like <c>messages</c> (the session id is the handle; a private host asks for
/// a sign-in). The type is what the bytes are; images are stored re-encoded, without their metadata.
/// </summary>
internal static class UploadApi
{
    private static readonly TimeSpan BudgetWindow = TimeSpan.FromHours(1);

    public static RouteGroupBuilder MapUploadApi(this RouteGroupBuilder api)
    {
        api.MapPost("/upload", Upload)
            .WithTags(ChatTag.Name)
            .RequireCors(Cors.Public)
            .RequireSignInWhenPrivate()
            .WithName("upload")
            .WithSummary("Upload a file to attach to the next message")
            .WithDescription("`multipart/form-data` with `session_id` and one `file`. The type is recognised from the bytes: PNG, JPEG, WebP and GIF "
                + "images (re-encoded without metadata), PDF, plain text and CSV. Name the returned `attachment_id` in `messages` "
                + "(`attachments`) to send it. 413 `File too large` past `ChatBridge:Attachments:MaxFileBytes`, 415 `Unsupported file type`, "
                + "429 `Upload limit reached, retry later` once the client's hourly byte budget is spent. A session bound to an "
                + "`X-Session-Token` needs it (or its signed-in owner), else 403 `Invalid session token`; a malformed token is a 400.")
            .Produces<Envelope<UploadedAttachment>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status400BadRequest)
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .Produces<ErrorEnvelope>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorEnvelope>(StatusCodes.Status415UnsupportedMediaType)
            .WithExamples(data: new UploadedAttachment(
                "9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d1c", "receipt.png", "image/png", 48213, 800, 600,
                "https://chat.example.org/files/9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d1c/receipt.png", Example.At("2026-12-01T10:15:30.123Z")))
            .DisableAntiforgery()
            .RateLimited(Limits.Upload);

        api.MapGet("/upload", GetRules)
            .WithTags(ChatTag.Name)
            .RequireCors(Cors.Public)
            .WithName("upload_rules")
            .WithSummary("What may be uploaded")
            .WithDescription("The limits and types `upload` accepts, so a page can refuse a file before sending it, and whether agents' "
                + "replies may show images from other sites (`remote_images`).")
            .WithExamples(data: new UploadRules(10 * 1024 * 1024, 5, 50 * 1024 * 1024, DetectedType.MediaTypes, RemoteImages: false));
        return api;
    }

    private static Ok<Envelope<UploadRules>> GetRules(IOptions<ChatBridgeOptions> options)
    {
        var limits = options.Value.Attachments;
        return Envelope.Ok(new UploadRules(limits.MaxFileBytes, limits.MaxFilesPerMessage, limits.HourlyBytesPerClient, DetectedType.MediaTypes,
            options.Value.Chat.RemoteImages));
    }

    /// <remarks>
    /// The form is read by hand (no <c>Accepts</c> metadata): a body of another type then gets this action's own 400, not
    /// routing's refusal, and the file is never spooled to disk by form binding.
    /// </remarks>
    private static async Task<IResult> Upload(
        HttpContext http, IAttachmentStore store, AttachmentInspector inspector, AttachmentLinks links, SessionGuard guard,
        IOptions<ChatBridgeOptions> options, TimeProvider time, ILogger<UploadRules> logger, CancellationToken ct)
    {
        var token = SessionToken.Read(http);
        if (token.Error is { } invalidToken)
        {
            return invalidToken;
        }
        var limits = options.Value.Attachments;
        // A body that streams on past the file limit is cut off by Kestrel as it arrives, not after it was read.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxFileBytes + UploadForm.FormOverhead;
        }
        var (form, refusal) = await UploadForm.ReadAsync(http, limits.MaxFileBytes, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        if (form is not { SessionId: { } sessionId, File: { } bytes })
        {
            return Envelope.BadRequest(Errors.MissingRequiredFields);
        }
        if (!SessionIds.IsValid(sessionId))
        {
            return Envelope.BadRequest(Errors.InvalidSessionId);
        }
        if ((await guard.CheckAsync(http, sessionId, token.Value, ct)).Refusal is { } notTheirs)
        {
            return notTheirs;
        }

        var client = ClientAddress.Of(http);
        var now = Timestamps.Now(time);
        var windowStart = now - BudgetWindow;
        // Refused before decoding when even the upload as sent cannot fit; the write checks again, for what is stored.
        if (limits.HourlyBytesPerClient > 0
            && await store.UsageSinceAsync(client, windowStart, ct) is var usage && usage.Bytes + bytes.Length > limits.HourlyBytesPerClient)
        {
            return OverBudget(usage, now);
        }

        var inspected = await inspector.InspectAsync(bytes, form.FileName, ct);
        if (inspected is InspectedFile.Refused refused)
        {
            logger.LogInformation("An upload was refused ({Reason}): {Detail}", refused.Reason, refused.Detail);
            return RefusalAnswer(refused.Reason);
        }
        var accepted = (InspectedFile.Accepted)inspected;
        var file = new NewAttachment(
            AttachmentLinks.NewId(), sessionId, accepted.Name.DisplayName, accepted.Type.MediaType, accepted.Length,
            accepted.Size?.Width, accepted.Size?.Height, client, now, now + limits.LinkLifetime, WholeArray(accepted.Content));
        if (!await store.AddAsync(file, limits.HourlyBytesPerClient, windowStart, ct))
        {
            return OverBudget(await store.UsageSinceAsync(client, windowStart, ct), now);
        }
        return Envelope.Ok(new UploadedAttachment(
            file.PublicId, file.Name, file.MediaType, file.Size, file.Width, file.Height,
            links.BaseOf(http) + AttachmentLinks.PathOf(file.PublicId, file.Name), file.ExpiresAt));
    }

    /// <summary>The bytes' own array when they fill one (as read and as re-encoded, they do): a large file is not copied again.</summary>
    private static byte[] WholeArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment is { Offset: 0, Array: { } array } && segment.Count == array.Length
            ? array
            : bytes.ToArray();

    /// <summary>A 429 whose <c>retry_after</c> is when the oldest upload counted leaves the hour, and so makes room.</summary>
    private static IResult OverBudget(UploadUsage usage, DateTimeOffset now)
    {
        var roomAt = (usage.Oldest ?? now) + BudgetWindow;
        var retryAfter = Math.Max(1, (int)Math.Ceiling((roomAt - now).TotalSeconds));
        return Envelope.Fail(ErrorEnvelope.Of(StatusCodes.Status429TooManyRequests, Errors.UploadBudgetSpent, retryAfter), retryAfter);
    }

    private static IResult RefusalAnswer(RefusalReason reason) => reason switch
    {
        RefusalReason.TooLarge => UploadForm.TooLarge(),
        RefusalReason.Empty => Envelope.BadRequest(Errors.EmptyFile),
        RefusalReason.ImageTooLarge or RefusalReason.TooManyPixels => Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.ImageTooLarge),
        _ => Envelope.Fail(StatusCodes.Status415UnsupportedMediaType, Errors.UnsupportedFileType),
    };
}

/// <summary>What <c>GET upload</c> answers.</summary>
internal sealed record UploadRules(long MaxFileBytes, int MaxFilesPerMessage, long HourlyBytesPerClient, IReadOnlyList<string> Types, bool RemoteImages);
