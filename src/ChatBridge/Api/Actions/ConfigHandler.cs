using System.Globalization;
using System.Text.Json;
using ChatBridge.Settings;

namespace ChatBridge.Api.Actions;

internal sealed class ConfigHandler(SettingsStore store, ILogger<ConfigHandler> logger) : IActionHandler
{
    public string Action => "config";

    public ActionMethods Methods => ActionMethods.Get | ActionMethods.Post;

    public Access Access => Access.Admin;

    public string? RateLimitSetting => null;

    public ActionDoc Doc { get; } = new(
        "Read or change the bridge's settings (admin)",
        "GET returns the keys, `session_timeout` (seconds), `max_message_length` and the hourly rate limits per IP "
        + "(0 = unlimited). POST takes an object with any of those keys; unknown keys or wrong types are a 400, keys need "
        + "16 to 256 printable characters. A rotated key applies from the next request on; the old one is refused.")
    {
        BodyExample = """{"api_key": "a-new-key-of-32-characters-or-so", "rate_limit_messages": 100}""",
        DataExample = """{"api_key": "…", "admin_key": "…", "session_timeout": 1800, "max_message_length": 10000, "rate_limit_messages": 50, "rate_limit_responses": 200, "rate_limit_inbox": 120, "rate_limit_outbox": 200, "rate_limit_sessions": 20}""",
    };

    public async Task<IResult> HandleAsync(HttpContext http, BridgeSettings settings, CancellationToken ct)
    {
        if (HttpMethods.IsGet(http.Request.Method))
        {
            return Envelope.Ok(View(settings));
        }
        var body = await JsonBody.ReadObjectAsync(http, BodyLimits.Authenticated, ct);
        if (body.Error is { } invalidBody)
        {
            return invalidBody;
        }
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body.Value.EnumerateObject())
        {
            if (Parse(property) is { } error)
            {
                return Envelope.BadRequest(error);
            }
            changes[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetInt32().ToString(CultureInfo.InvariantCulture);
        }
        var apiKey = changes.GetValueOrDefault(SettingKeys.ApiKey, settings.ApiKey);
        var adminKey = changes.GetValueOrDefault(SettingKeys.AdminKey, settings.AdminKey);
        if (apiKey == adminKey)
        {
            return Envelope.BadRequest(Errors.KeysMustDiffer);
        }
        if (changes.Count > 0)
        {
            await store.SaveAsync(changes, ct);
            logger.LogInformation("Settings changed: {Keys}", string.Join(", ", changes.Keys));
        }
        return Envelope.Ok(View(await store.GetAsync(ct)));
    }

    /// <summary>Null when the property names a setting and holds a value it accepts, else the error text.</summary>
    private static string? Parse(JsonProperty property)
    {
        if (SettingKeys.Keys.Contains(property.Name))
        {
            return property.Value.ValueKind == JsonValueKind.String && KeyRules.IsValid(property.Value.GetString()!)
                ? null
                : Errors.InvalidConfigValue(property.Name, KeyRules.Requirement);
        }
        if (SettingKeys.Numbers.FirstOrDefault(n => n.Name == property.Name) is not { } number)
        {
            return Errors.UnknownConfigKey(property.Name);
        }
        return property.Value.ValueKind == JsonValueKind.Number
               && property.Value.TryGetInt32(out var value)
               && value >= number.Min && value <= number.Max
            ? null
            : Errors.InvalidConfigValue(property.Name, $"an integer from {number.Min} to {number.Max}");
    }

    private static Dictionary<string, object> View(BridgeSettings settings)
    {
        var view = new Dictionary<string, object>
        {
            [SettingKeys.ApiKey] = settings.ApiKey,
            [SettingKeys.AdminKey] = settings.AdminKey,
        };
        foreach (var number in SettingKeys.Numbers)
        {
            view[number.Name] = settings.Numbers[number.Name];
        }
        return view;
    }
}
