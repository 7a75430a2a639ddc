using ChatBridge.Http;
namespace ChatBridge.Chat;

/// <summary>The session's own WebSocket: its replies, delivery states and typing, as they happen.</summary>
internal static class SessionSocketApi
{
    public static IServiceCollection AddSessionSocket(this IServiceCollection services) =>
        services.AddSingleton<SessionSocketEndpoint>();

    /// <summary><c>/api/v1/ws</c>; a literal route, so it wins over the <c>/api/v1/{action}</c> catch-all.</summary>
    public static WebApplication MapSessionSocket(this WebApplication app)
    {
        // Two parameters, so the handler is never taken for a RequestDelegate: its returned IResult is written.
        app.MapGet(SessionSocketEndpoint.Route, (HttpContext http, SessionSocketEndpoint endpoint) => endpoint.HandleAsync(http))
            .WithName("ws")
            .WithTags("Realtime (WebSocket)")
            .WithSummary("Live replies, delivery status and typing for one session (WebSocket)")
            .WithDescription("""
                Open with a WebSocket client (`ws://host/api/v1/ws?session_id=…&after_id=N`); a plain HTTP request is a 400.
                Query: `session_id` (required, `session_[A-Za-z0-9_]+`, at most 64 characters) and `after_id` (optional integer,
                the largest response id the client already has).
                A bad or missing `session_id` is refused before the upgrade with the usual JSON envelope (400), and a client
                IP with too many open sockets gets a 429.
                A session bound to an `X-Session-Token` needs it: a browser offers the subprotocols `["chatbridge",
                "token.<token>"]` (the answer names `chatbridge`), other clients may send the header; never in the URL.
                Without it (and not its signed-in owner) the upgrade is refused with 403 `Invalid session token`.

                On connect the server first replays every response with an id greater than `after_id` (all of them without it),
                then pushes events as they happen, each one JSON text message:
                - `{"type":"response","data":{"id":7,"response":"Hi!","timestamp":"2026-11-24T10:15:32.456Z","message_id":42}}`
                - `{"type":"status","data":{"message_id":42,"status":"delivered"}}` (Broca claimed it; later `answered`)
                - `{"type":"typing","data":{"state":"start"}}` (or `stop`)

                Replay and live events never overlap or leave a gap. Remember the largest response id seen and reconnect with
                `after_id` set to it. The server pings to keep the socket alive; clients send nothing (messages larger than a few
                KiB close the socket with 1009). A client that stops reading is closed with 1008 and should reconnect with `after_id`;
                on shutdown the server closes with 1001.
                """)
            // Not an action: ActionDoc would make the Swagger filter describe it as the ?action= entry point.
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .RequireSignInWhenPrivate();
        return app;
    }
}
