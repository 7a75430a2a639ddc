using System.Globalization;
using System.Text.Json;
using ChatBridge.Configuration;
using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Settings;

/// <summary>The bridge's settings as admins read and change them: keys, timeouts, limits.</summary>
internal static class ConfigApi
{
    public static RouteGroupBuilder MapConfigApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapGet("/config", GetConfig)
            .WithName("config")
            .WithSummary("Read the bridge's settings (admin)")
            .WithDescription("The keys, `session_timeout` (seconds), `max_message_length` and the hourly rate limits per IP (0 = unlimited); a key another program stored that protects nothing reads as empty.")
            .WithExamples(data: ExampleConfig);

        admin.MapPost("/config", ChangeConfig)
            .WithName("config_change")
            .WithSummary("Change the bridge's settings (admin)")
            .WithDescription("Takes an object with any of the settings; an unknown key or a value of the wrong type or range is a 400, "
                + "keys need 16 to 256 printable characters and must differ. A rotated key applies from the next request on; the old one is refused.")
            .WithExamples(ExampleChange, ExampleConfig);

        return api;
    }

    private static readonly ConfigView ExampleConfig = new("…", "…", 1800, 10000, 50, 200, 120, 200, 20, 30);

    /// <summary>Every setting at once; any of them may be left out.</summary>
    private static readonly ConfigView ExampleChange = new(
        "a-new-broca-key-of-32-characters", "a-new-admin-key-of-32-characters", 1800, 10000, 100, 200, 120, 200, 20, 30);

    private static async Task<Ok<Envelope<ConfigView>>> GetConfig(SettingsStore settings, CancellationToken ct) =>
        Envelope.Ok(ConfigView.From(await settings.GetAsync(ct)));

    private static async Task<Results<Ok<Envelope<ConfigView>>, BadRequest<ErrorEnvelope>>> ChangeConfig(
        Body<ConfigChange> body, SettingsStore settings, ILogger<ConfigView> logger, CancellationToken ct)
    {
        var changes = body.Value.Changes;
        var current = await settings.GetAsync(ct);
        // Keys refused as unusable read as empty: two of those are not "the same key".
        if (changes.GetValueOrDefault(SettingKeys.ApiKey, current.ApiKey) is { Length: > 0 } apiKey
            && apiKey == changes.GetValueOrDefault(SettingKeys.AdminKey, current.AdminKey))
        {
            return Envelope.BadRequest(Errors.KeysMustDiffer);
        }
        if (changes.Count > 0)
        {
            await settings.SaveAsync(changes, ct);
            logger.LogInformation("Settings changed: {Keys}", string.Join(", ", changes.Keys));
        }
        return Envelope.Ok(ConfigView.From(await settings.GetAsync(ct)));
    }
}

/// <summary>The bridge's settings as <c>config</c> shows them, in the order of <see cref="SettingKeys.Numbers"/>.</summary>
internal sealed record ConfigView(
    string ApiKey, string AdminKey, int SessionTimeout, int MaxMessageLength,
    int RateLimitMessages, int RateLimitResponses, int RateLimitInbox, int RateLimitOutbox, int RateLimitSessions, int RateLimitSignIn)
{
    public static ConfigView From(BridgeSettings s) => new(
        s.ApiKey, s.AdminKey, s.SessionTimeoutSeconds, s.MaxMessageLength,
        s.RateLimit(SettingKeys.RateLimitMessages), s.RateLimit(SettingKeys.RateLimitResponses), s.RateLimit(SettingKeys.RateLimitInbox),
        s.RateLimit(SettingKeys.RateLimitOutbox), s.RateLimit(SettingKeys.RateLimitSessions), s.RateLimit(SettingKeys.RateLimitSignIn));
}

/// <summary>The body of a <c>config</c> change: any of the settings, by name, as text.</summary>
internal sealed record ConfigChange(IReadOnlyDictionary<string, string> Changes) : IJsonRequest<ConfigChange>
{
    public static int MaxBytes => BodyLimits.Authenticated;

    /// <summary>Documented as the settings <c>config</c> shows, each of them optional.</summary>
    public static Type Schema => typeof(ConfigView);

    public static ValueTask<Parsed<ConfigChange>> ReadAsync(RequestFields body, HttpContext http)
    {
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body.All())
        {
            if (SettingChange.Check(property) is { } error)
            {
                return ValueTask.FromResult(Parsed<ConfigChange>.Fail(Envelope.BadRequest(error)));
            }
            changes[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetInt32().ToString(CultureInfo.InvariantCulture);
        }
        return ValueTask.FromResult(Parsed<ConfigChange>.Ok(new ConfigChange(changes)));
    }
}

/// <summary>Checks one property of a <c>config</c> body: a setting it names, a value of the right JSON type, in range.</summary>
internal static class SettingChange
{
    /// <summary>Null when the property names a setting and holds a value it accepts, else the error text.</summary>
    public static string? Check(JsonProperty property)
    {
        var value = property.Value;
        if (SettingKeys.Keys.Contains(property.Name))
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return Errors.WrongConfigType(property.Name, "a string", Describe(value));
            }
            return KeyRules.Problem(value.GetString()!) is { } problem ? Errors.InvalidConfigValue(property.Name, problem) : null;
        }
        if (SettingKeys.Numbers.FirstOrDefault(n => n.Name == property.Name) is not { } number)
        {
            return Errors.UnknownConfigKey(property.Name);
        }
        var range = $"an integer from {number.Min} to {number.Max}";
        if (value.ValueKind != JsonValueKind.Number || HasFraction(value))
        {
            return Errors.WrongConfigType(property.Name, range, Describe(value));
        }
        return value.TryGetInt32(out var parsed) && parsed >= number.Min && parsed <= number.Max
            ? null
            : Errors.InvalidConfigValue(property.Name, range);
    }

    private static bool HasFraction(JsonElement number) => number.TryGetDouble(out var d) && Math.Floor(d) != d;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => HasFraction(value) ? "a number with a fraction" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
