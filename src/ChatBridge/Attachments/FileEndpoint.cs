using ChatBridge.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ChatBridge.Attachments;

/// <summary>
/// <c>GET /files/&lt;id&gt;/&lt;name&gt;</c>: a stored attachment, from the bridge's own origin. Whatever the bytes hold, the
/// browser is told not to sniff them, runs nothing (a sandbox with nothing allowed), shows images in place and offers
/// every other file as a download. Until the link expires anyone who has it may read it; after, the session's owner
/// (who proves it with the session id in <c>X-Session-Id</c>) and admins only: every one else gets a 404.
/// </summary>
internal static class FileEndpoint
{
    public const string SessionHeader = "X-Session-Id";

    private const string FilePolicy = "sandbox; default-src 'none'";

    public static IEndpointRouteBuilder MapFileEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet(AttachmentLinks.RoutePrefix + "/{id}/{name}", ServeAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ServeAsync(
        string id, HttpContext http, IAttachmentStore store, TimeProvider time, CancellationToken ct)
    {
        if (!AttachmentLinks.IsId(id) || await store.OpenAsync(id, ct) is not { } file)
        {
            return NotFound();
        }
        if (file.ExpiresAt <= time.GetUtcNow() && !await MaySeeExpiredAsync(http, file))
        {
            file.Dispose();
            return NotFound();
        }
        var type = DetectedType.FromMediaType(file.MediaType);
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = FilePolicy;
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // Private: a shared cache would go on serving the file after its link expired.
        headers.CacheControl = "private, max-age=3600";
        if (type is null)
        {
            // Not a type the bridge stores today: served as bytes to save, never as anything a browser renders.
            headers.ContentDisposition = "attachment";
            return Results.Stream(file.Content, "application/octet-stream");
        }
        var name = SafeFileName.For(file.Name, type);
        headers.ContentDisposition = type.Kind == AttachmentKind.Image ? name.InlineDisposition : name.AttachmentDisposition;
        return Results.Stream(file.Content, type.ContentType);
    }

    private static async Task<bool> MaySeeExpiredAsync(HttpContext http, StoredFile file)
    {
        if (http.Request.Headers[SessionHeader].ToString() is { Length: > 0 } sessionId && sessionId == file.SessionId)
        {
            return true;
        }
        // The admin key or a signed-in admin, checked as the admin actions check them.
        var policies = http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>();
        var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
        if (await policies.GetPolicyAsync(Policies.Admin) is not { } policy)
        {
            return false;
        }
        var authenticated = await evaluator.AuthenticateAsync(policy, http);
        return (await evaluator.AuthorizeAsync(policy, authenticated, http, resource: null)).Succeeded;
    }

    private static IResult NotFound() => Envelope.NotFound(Errors.FileNotFound);
}
