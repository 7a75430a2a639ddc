using System.Globalization;
using System.Text.Json;
using ChatBridge.Data;
using ChatBridge.Observability;
using ChatBridge.Hosting;
using ChatBridge.Realtime;
using ChatBridge.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Api;

/// <summary>The admin page's and the control app's actions: the admin key as a Bearer token.</summary>
internal static class AdminApi
{
    private const string Tag = "Admin (admin key)";

    /// <summary>Longer than any id or uid, and enough for a phrase: a longer search is a typo or an attack on the LIKE.</summary>
    private const int MaxSearchLength = 200;

    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(Tag).RequireKey(Policies.Admin);

        admin.MapGet("/sessions", ListSessions)
            .WithName("sessions")
            .WithSummary("List chat sessions (admin)")
            .WithDescription("Sessions newest activity first, with message and response counts. `active=true` (the default) lists sessions "
                + "active within `session_timeout`; `active=false` lists all. `limit` defaults to 50 and is clamped to 100. Filters: `q` "
                + "(part of the session id, the uid, or a message's or reply's text; ASCII case ignored), `agent_id`, `waiting=true` (sessions "
                + "with a message no reply has answered yet). The hourly limit does not count requests made with the admin key.")
            .WithExamples(data: new SessionList([ExampleSession], new Pagination(1, 50, 0, HasMore: false)))
            .RateLimited(Limits.Sessions);

        admin.MapGet("/backlog", ListBacklog)
            .WithName("backlog")
            .WithSummary("Messages waiting for an answer (admin)")
            .WithDescription("Every message no reply has answered yet, oldest first, with its age in seconds: pending, delivered, and exhausted "
                + "(handed out `MaxDeliveries` times without an answer, so only a person can still answer it). `limit` defaults to 50 and is clamped to 100.")
            .WithExamples(data: new BacklogList([ExampleBacklogMessage], new Pagination(1, 50, 0, HasMore: false)));

        admin.MapGet("/stats", GetStats)
            .WithName("stats")
            .WithSummary("Activity, reply latency and backlog for the dashboard (admin)")
            .WithDescription("Messages and replies per hour over the last `hours` (default 24, clamped to 168) and per day over the last `days` "
                + "(default 30, clamped to 90), every bucket listed even when empty, in UTC, the current hour and day last. Reply latency (a "
                + "message's time to its first reply) p50 and p95 per day of the first reply, over all answered messages and per agent "
                + "of the session. The backlog: messages no reply has answered yet, and the oldest one's age. Days before today are "
                + "counted once and kept; only today is counted on every request.")
            .WithExamples(data: ExampleStats);

        admin.MapGet("/admin_events", WaitForChanges)
            .WithName("admin_events")
            .WithSummary("Wait for changes across all sessions (admin long poll)")
            .WithDescription("What changed since `after` (the `cursor` of the previous answer): a user's `message`, a `response` (with its "
                + "`author`), a delivery `status`. Without `after` it answers at once with no events and the current cursor, the place to "
                + "start from. With `wait` (seconds, 0 to 30) and nothing new, the request is held until something happens or the wait ends. "
                + "`reset: true` means the cursor cannot be continued (the bridge restarted, or over 1024 events passed): reload, then go on "
                + "from the new cursor. The key goes in the Authorization header, never in the URL.")
            .WithExamples(data: new AdminEventPage(
                [new AdminEvent("response", "session_k3f9x2m4q8w1", MessageId: 42, ResponseId: 7, Author: ReplyAuthor.Agent)], "3f9a2c1b-18", Reset: false));

        admin.MapGet("/session_messages", GetTranscript)
            .WithName("session_messages")
            .WithSummary("A session's whole transcript (admin)")
            .WithDescription("The session, its messages with delivery state, and its responses, oldest first. An unknown session is a 404.")
            .WithExamples(data: new SessionTranscript(ExampleSession, [ChatApi.ExampleTranscriptMessage], [ChatApi.ExampleResponse]));

        admin.MapPost("/reply", PostPersonReply)
            .WithName("reply")
            .WithSummary("Answer a user as a person (admin)")
            .WithDescription("Stores a reply written by a person in the admin console, with `author: admin`; the user's open chat gets it at once "
                + "and shows it as from a person. Same body and rules as `outbox`: without `message_id` it answers the session's oldest "
                + "delivered, unanswered message. An unknown session is `Invalid session`.")
            .Accepts<ReplyRequest>("application/json")
            .WithExamples(
                new ReplyRequest("session_k3f9x2m4q8w1", "Hello, I'm Sam from support. Let me look into this.", 42, null),
                new ResponseAccepted(8, "session_k3f9x2m4q8w1", "2026-11-24T10:16:02.000Z", 42));

        admin.MapGet("/config", GetConfig)
            .WithName("config")
            .WithSummary("Read the bridge's settings (admin)")
            .WithDescription("The keys, `session_timeout` (seconds), `max_message_length` and the hourly rate limits per IP (0 = unlimited).")
            .WithExamples(data: ExampleConfig);

        admin.MapPost("/config", ChangeConfig)
            .WithName("config_change")
            .WithSummary("Change the bridge's settings (admin)")
            .WithDescription("Takes an object with any of the settings; an unknown key or a value of the wrong type or range is a 400, "
                + "keys need 16 to 256 printable characters and must differ. A rotated key applies from the next request on; the old one is refused.")
            .Accepts<ConfigView>("application/json")
            .WithExamples(new Dictionary<string, object> { [SettingKeys.ApiKey] = "a-new-key-of-32-characters-or-so", [SettingKeys.RateLimitMessages] = 100 }, ExampleConfig);

        admin.MapPost("/cleanup", DeleteIdleSessions)
            .WithName("cleanup")
            .WithSummary("Delete idle sessions (admin)")
            .WithDescription("Deletes sessions idle longer than `session_timeout` with their messages and responses, but never a session "
                + "holding a message Broca has not picked up yet.")
            .WithExamples(data: new CleanupReport(3, "Cleaned up 3 inactive sessions"));

        admin.MapPost("/clear_data", ClearData)
            .WithName("clear_data")
            .WithSummary("Delete all chat data (admin)")
            .WithDescription("Deletes every chat session, message, response and rate-limit count. Users, agents and settings are kept.")
            .WithExamples(data: new ClearReport("All chat data cleared", new RemainingData(0, 0, 0)));

        admin.MapPost("/cleanup_logs", DeleteExpiredLogs)
            .WithName("cleanup_logs")
            .WithSummary("Delete expired log files (admin)")
            .WithDescription("Deletes rolled log files older than `ChatBridge:LogRetentionDays` (the current file is kept) and reports the real sizes on disk.")
            .WithExamples(data: new LogCleanupReport("Deleted 2 expired log files", 0.42, 5, 12.7, 7, 10));

        return api;
    }

    private static readonly SessionView ExampleSession = new(
        "session_k3f9x2m4q8w1", "3f2a9c0b7d1e4f68", "2026-11-24T10:15:30.123Z", "2026-11-24T10:20:00.000Z", "127.0.0.1",
        JsonDocument.Parse("{}").RootElement.Clone(), "active", 3, 2, 0, null, 1);

    private static readonly BacklogMessage ExampleBacklogMessage = new()
    {
        Id = 42, SessionId = "session_k3f9x2m4q8w1", Message = "Hello, Athena!", Timestamp = "2026-11-24T10:15:30.123Z", Status = "delivered",
        ProcessedAt = "2026-11-24T10:15:31.000Z", DeliveryCount = 3, Exhausted = true, Uid = "3f2a9c0b7d1e4f68", AgentId = 1, AgeSeconds = 1260,
    };

    private static readonly ServiceStats ExampleStats = new(
        "2026-11-24T10:15:30.123Z",
        [new ActivityBucket("2026-11-24T10:00:00.000Z", 12, 11)],
        [new ActivityBucket("2026-11-24T00:00:00.000Z", 130, 127)],
        new LatencySeries(
            [new LatencyBucket("2026-11-24T00:00:00.000Z", 127, 4.2, 31.5)],
            [new AgentLatency(1, [new LatencyBucket("2026-11-24T00:00:00.000Z", 90, 3.9, 28.75)])]),
        new BacklogFigure(3, "2026-11-24T09:54:30.123Z", 1260));

    private static readonly ConfigView ExampleConfig = new("…", "…", 1800, 10000, 50, 200, 120, 200, 20);

    private static async Task<Results<Ok<Envelope<SessionList>>, BadRequest<ErrorEnvelope>>> ListSessions(
        [AsParameters] SessionsQuery query, ISessionStore sessions, SettingsStore settings, TimeProvider time, CancellationToken ct)
    {
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        var active = QueryParams.Bool(query.Active, "active", fallback: true);
        var agentId = QueryParams.OptionalId(query.AgentId?.Text, "agent_id");
        var waiting = QueryParams.Bool(query.Waiting, "waiting", fallback: false);
        var text = QueryParams.OptionalText(query.Q, "q", MaxSearchLength);
        if ((limit.Error ?? offset.Error ?? active.Error ?? agentId.Error ?? waiting.Error ?? text.Error) is { } invalid)
        {
            return invalid;
        }
        var activeSince = active.Value
            ? Timestamps.Format(time.GetUtcNow().AddSeconds(-(await settings.GetAsync(ct)).SessionTimeoutSeconds))
            : null;
        var filter = new SessionFilter(activeSince, agentId.Value, waiting.Value, text.Value);
        var page = await sessions.ListSessionsAsync(filter, limit.Value, offset.Value, ct);
        return Envelope.Ok(new SessionList(
            [.. page.Sessions.Select(SessionView.From)],
            new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Sessions.Count < page.Total)));
    }

    private static async Task<Results<Ok<Envelope<BacklogList>>, BadRequest<ErrorEnvelope>>> ListBacklog(
        [AsParameters] PageQuery query, ISessionStore sessions, TimeProvider time, CancellationToken ct)
    {
        var limit = QueryParams.Int(query.Limit, "limit", fallback: 50, min: 1, clampAt: 100);
        var offset = QueryParams.Int(query.Offset, "offset", fallback: 0, min: 0);
        if ((limit.Error ?? offset.Error) is { } invalid)
        {
            return invalid;
        }
        var page = await sessions.GetBacklogAsync(time.GetUtcNow(), limit.Value, offset.Value, ct);
        return Envelope.Ok(new BacklogList(
            page.Messages,
            new Pagination(page.Total, limit.Value, offset.Value, offset.Value + page.Messages.Count < page.Total)));
    }

    private static async Task<Results<Ok<Envelope<ServiceStats>>, BadRequest<ErrorEnvelope>>> GetStats(
        [AsParameters] StatsQuery query, [FromServices] StatsRollup stats, TimeProvider time, CancellationToken ct)
    {
        var hours = QueryParams.Int(query.Hours, "hours", fallback: 24, min: 1, clampAt: 168);
        var days = QueryParams.Int(query.Days, "days", fallback: 30, min: 1, clampAt: 90);
        if ((hours.Error ?? days.Error) is { } invalid)
        {
            return invalid;
        }
        var now = time.GetUtcNow();
        var rows = await stats.ReadAsync(ServiceStats.Window(now, hours.Value, days.Value), ct);
        return Envelope.Ok(ServiceStats.From(rows, now, hours.Value, days.Value));
    }

    private static async Task<Results<Ok<Envelope<AdminEventPage>>, BadRequest<ErrorEnvelope>>> WaitForChanges(
        [AsParameters] AdminEventsQuery query, AdminFeed feed, NotificationHub hub, LongPoller poller, CancellationToken ct)
    {
        var wait = QueryParams.Int(query.Wait, "wait", fallback: 0, min: 0, clampAt: LongPoller.MaxWaitSeconds);
        AdminCursor? after = null;
        if (!string.IsNullOrEmpty(query.After) && !AdminCursor.TryParse(query.After, out after))
        {
            return Envelope.BadRequest(Errors.InvalidParameter("after"));
        }
        if (wait.Error is { } invalid)
        {
            return invalid;
        }
        // Without a cursor there is nothing to wait for: the caller learns where "now" is.
        using var watch = wait.Value > 0 && after is not null ? hub.WatchAdmin() : null;
        var page = await poller.RunAsync(
            watch,
            TimeSpan.FromSeconds(wait.Value),
            _ => Task.FromResult(feed.Read(after)),
            found => found.Events.Count > 0 || found.Reset,
            ct);
        return Envelope.Ok(page);
    }

    private static async Task<Results<Ok<Envelope<SessionTranscript>>, BadRequest<ErrorEnvelope>, NotFound<ErrorEnvelope>>> GetTranscript(
        [FromQuery(Name = "session_id")] string? sessionIdText, ISessionStore sessions, CancellationToken ct)
    {
        var sessionId = SessionIds.FromQuery(sessionIdText);
        if (sessionId.Error is { } invalid)
        {
            return invalid;
        }
        if (await sessions.GetTranscriptAsync(sessionId.Value, ct) is not { } transcript)
        {
            return Envelope.NotFound(Errors.SessionNotFound);
        }
        return Envelope.Ok(new SessionTranscript(SessionView.From(transcript.Session), transcript.Messages, transcript.Responses));
    }

    private static Task<Results<Ok<Envelope<ResponseAccepted>>, BadRequest<ErrorEnvelope>, PayloadTooLarge>> PostPersonReply(
        HttpContext http, IReplyStore replies, IRealtimeBus bus, TypingTimers typing, BridgeMetrics metrics, CancellationToken ct) =>
        Replies.StoreAsync(http, ReplyAuthor.Admin, replies, bus, typing, metrics, ct);

    private static async Task<Ok<Envelope<ConfigView>>> GetConfig(SettingsStore settings, CancellationToken ct) =>
        Envelope.Ok(ConfigView.From(await settings.GetAsync(ct)));

    private static async Task<Results<Ok<Envelope<ConfigView>>, BadRequest<ErrorEnvelope>, PayloadTooLarge>> ChangeConfig(
        HttpContext http, SettingsStore settings, ILogger<ConfigView> logger, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(http, BodyLimits.Authenticated, ct);
        if (body.TooLarge is { } tooLarge)
        {
            return tooLarge;
        }
        if (body.Error is { } invalidBody)
        {
            return invalidBody;
        }
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body.Value.EnumerateObject())
        {
            if (SettingChange.Check(property) is { } error)
            {
                return Envelope.BadRequest(error);
            }
            changes[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetInt32().ToString(CultureInfo.InvariantCulture);
        }
        var current = await settings.GetAsync(ct);
        if (changes.GetValueOrDefault(SettingKeys.ApiKey, current.ApiKey) == changes.GetValueOrDefault(SettingKeys.AdminKey, current.AdminKey))
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

    private static async Task<Ok<Envelope<CleanupReport>>> DeleteIdleSessions(
        ISessionStore sessions, SettingsStore settings, TimeProvider time, CancellationToken ct)
    {
        var idleBefore = Timestamps.Format(time.GetUtcNow().AddSeconds(-(await settings.GetAsync(ct)).SessionTimeoutSeconds));
        var cleaned = await sessions.DeleteIdleSessionsAsync(idleBefore, ct);
        return Envelope.Ok(new CleanupReport(cleaned, $"Cleaned up {cleaned} inactive sessions"));
    }

    private static async Task<Ok<Envelope<ClearReport>>> ClearData(
        HttpContext http, ISessionStore sessions, RateLimitGeneration limits, ILogger<ClearReport> logger, CancellationToken ct)
    {
        var remaining = await sessions.DeleteAllChatDataAsync(ct);
        limits.Reset();
        logger.LogWarning("All chat data cleared by an admin from {Client}", ClientAddress.Of(http));
        return Envelope.Ok(new ClearReport("All chat data cleared", remaining));
    }

    private static Ok<Envelope<LogCleanupReport>> DeleteExpiredLogs(LogFiles logs) => Envelope.Ok(logs.DeleteExpired());
}

internal sealed record SessionsQuery(
    [property: FromQuery(Name = "limit")] QueryNumber? Limit,
    [property: FromQuery(Name = "offset")] QueryNumber? Offset,
    [property: FromQuery(Name = "active")] string? Active,
    [property: FromQuery(Name = "agent_id")] QueryNumber? AgentId,
    [property: FromQuery(Name = "waiting")] string? Waiting,
    [property: FromQuery(Name = "q")] string? Q);

internal sealed record StatsQuery(
    [property: FromQuery(Name = "hours")] QueryNumber? Hours,
    [property: FromQuery(Name = "days")] QueryNumber? Days);

internal sealed record AdminEventsQuery(
    [property: FromQuery(Name = "after")] string? After,
    [property: FromQuery(Name = "wait")] QueryNumber? Wait);

internal sealed record PageQuery(
    [property: FromQuery(Name = "limit")] QueryNumber? Limit,
    [property: FromQuery(Name = "offset")] QueryNumber? Offset);

internal sealed record BacklogList(IReadOnlyList<BacklogMessage> Messages, Pagination Pagination);

internal sealed record SessionList(IReadOnlyList<SessionView> Sessions, Pagination Pagination);

internal sealed record SessionTranscript(SessionView Session, IReadOnlyList<TranscriptMessage> Messages, IReadOnlyList<ResponseItem> Responses);

/// <summary>The bridge's settings as <c>config</c> shows them, in the order of <see cref="SettingKeys.Numbers"/>.</summary>
internal sealed record ConfigView(
    string ApiKey, string AdminKey, int SessionTimeout, int MaxMessageLength,
    int RateLimitMessages, int RateLimitResponses, int RateLimitInbox, int RateLimitOutbox, int RateLimitSessions)
{
    public static ConfigView From(BridgeSettings s) => new(
        s.ApiKey, s.AdminKey, s.SessionTimeoutSeconds, s.MaxMessageLength,
        s.RateLimit(SettingKeys.RateLimitMessages), s.RateLimit(SettingKeys.RateLimitResponses), s.RateLimit(SettingKeys.RateLimitInbox),
        s.RateLimit(SettingKeys.RateLimitOutbox), s.RateLimit(SettingKeys.RateLimitSessions));
}

internal sealed record CleanupReport(int CleanedCount, string Message);

internal sealed record ClearReport(string Message, RemainingData RemainingData);

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
            return KeyRules.IsValid(value.GetString()!) ? null : Errors.InvalidConfigValue(property.Name, KeyRules.Requirement);
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
