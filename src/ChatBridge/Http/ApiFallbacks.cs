using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Http;

/// <summary>
/// The contract's answers for requests no action endpoint takes: a preflight (200), a wrong method (405 with
/// <c>Allow</c>), a missing or unknown action (400), any other path under <c>/api/</c> (404). Routing's own answers
/// would be an empty 405, an empty 404 and a 204 preflight from the CORS middleware.
/// </summary>
internal static class ApiFallbacks
{
    public static RouteGroupBuilder MapApiFallbacks(this RouteGroupBuilder api, IEndpointRouteBuilder app)
    {
        // A preflight for a public action is answered by the CORS middleware (see Cors.UsePublicCors); any other OPTIONS here.
        api.MapMethods("/{action?}", [HttpMethods.Options], Preflight).ExcludeFromDescription();

        api.MapMethods("/", [HttpMethods.Get, HttpMethods.Post], MissingAction)
            .WithName("action")
            .WithTags("Compatibility entry point")
            .WithSummary("Any action, chosen by ?action=NAME (the form Broca and the Flask bridge use)")
            .WithDescription("`?action=NAME` is answered by the action's own endpoint (`/api/v1/NAME`, documented below) with the same "
                + "methods, auth and answers. This entry point itself only answers when the action is missing or not a plain name.");
        api.Map("/", MissingAction).WithOrder(1).ExcludeFromDescription();
        api.Map("/{action}", WrongMethodOrUnknownAction).WithOrder(1).ExcludeFromDescription();
        app.Map("/api/{**path}", () => Envelope.NotFound(Errors.EndpointNotFound)).WithOrder(2).ExcludeFromDescription();
        return api;
    }

    /// <summary>Every OPTIONS request is a 200 with an empty <c>data</c>, whatever it names.</summary>
    public static Ok<Envelope<NoData>> Preflight() => Envelope.Ok(new NoData());

    private static BadRequest<ErrorEnvelope> MissingAction([FromQuery(Name = "action")] string? action) =>
        Envelope.BadRequest(string.IsNullOrEmpty(action) ? Errors.MissingAction : Errors.InvalidAction);

    private static IResult WrongMethodOrUnknownAction(HttpContext http, string action, ActionCatalog actions)
    {
        if (actions.TryGetMethods(action, out var methods))
        {
            http.Response.Headers.Allow = string.Join(", ", methods.Append(HttpMethods.Options));
            return Envelope.Fail(StatusCodes.Status405MethodNotAllowed, Errors.MethodNotAllowed);
        }
        return ActionRoute.CameFromQuery(http)
            ? Envelope.BadRequest(Errors.InvalidAction)
            : Envelope.NotFound(Errors.EndpointNotFound);
    }

    /// <summary>The <c>data</c> of an answer that has nothing to say: <c>{}</c>.</summary>
    internal sealed record NoData;
}
