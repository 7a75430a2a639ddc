using ChatBridge.Settings;

namespace ChatBridge.Api;

[Flags]
internal enum ActionMethods
{
    Get = 1,
    Post = 2,
}

/// <summary>Who may call an action: anyone, Broca (API key, or the admin key), or admins only.</summary>
internal enum Access
{
    Public,
    ApiKey,
    Admin,
}

/// <summary>
/// One <c>?action=</c>. The dispatcher enforces what a handler declares (method, access, rate limit),
/// so a handler only parses its input, asks the repository and returns an envelope.
/// </summary>
internal interface IActionHandler
{
    string Action { get; }

    ActionMethods Methods { get; }

    Access Access { get; }

    /// <summary>The <c>system_config</c> key holding this action's hourly limit per client IP; null for none.</summary>
    string? RateLimitSetting { get; }

    ActionDoc Doc { get; }

    Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct);
}

/// <summary>How an action is described in Swagger: what it does, its query parameters and examples.</summary>
internal sealed record ActionDoc(string Summary, string Description)
{
    public IReadOnlyList<QueryDoc> Query { get; init; } = [];

    /// <summary>An example request body (JSON), for actions that take one.</summary>
    public string? BodyExample { get; init; }

    /// <summary>An example of the envelope's <c>data</c> on success (JSON).</summary>
    public string? DataExample { get; init; }

    /// <summary>The error of the action's 404, for actions that answer one (an unknown session, say).</summary>
    public string? NotFoundError { get; init; }
}

internal sealed record QueryDoc(string Name, string Description, bool Required = false, string Type = "string");

/// <summary>Request body limits: small for anonymous callers, larger for Broca's replies and admin calls.</summary>
internal static class BodyLimits
{
    public const int Public = 64 * 1024;
    public const int Authenticated = 1024 * 1024;
}
