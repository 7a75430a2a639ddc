using Microsoft.Extensions.Options;

namespace ChatBridge.Configuration;

/// <summary>The <c>ChatBridge</c> configuration section (appsettings, <c>ChatBridge__*</c> variables, command line).</summary>
public sealed class ChatBridgeOptions
{
    public const string Section = "ChatBridge";

    /// <summary>The control database; a relative path is taken from the repository root (see <see cref="BridgePaths"/>).</summary>
    public string DatabasePath { get; set; } = "db/sanctum_ui.db";

    /// <summary>Which engine holds the control database: the embedded SQLite file, or a PostgreSQL server shared by instances.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Seeds the API key of a database that has none; never overrides a stored key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Seeds the admin key of a database that has none; never overrides a stored key.</summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a write waits for another writer (another process, say) before the request gets a 503.</summary>
    public int BusyTimeoutMs { get; set; } = 5000;

    public RateLimitingOptions RateLimiting { get; set; } = new();

    public string LogPath { get; set; } = "logs";

    /// <summary>How long rolled log files are kept before <c>cleanup_logs</c> deletes them.</summary>
    public int LogRetentionDays { get; set; } = 7;

    /// <summary>Size at which the current log file rolls over.</summary>
    public int LogMaxSizeMb { get; set; } = 10;

    public WebSocketLimits WebSockets { get; set; } = new();

    public InboxOptions Inbox { get; set; } = new();

    /// <summary>A typing <c>start</c> that Broca never follows with <c>stop</c> ends by itself after this long.</summary>
    public TimeSpan TypingTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Reverse proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> names the client.
    /// Empty, the connection's own address is the client and the header is ignored, since any client could forge it.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public WidgetOptions Widget { get; set; } = new();

    public ChatOptions Chat { get; set; } = new();

    /// <summary>
    /// The bridge's address as people and Broca reach it (<c>https://chat.example.org</c>, or with a path prefix): the
    /// base of attachment links. Unset, each link is made from the scheme and host of the request that asks for it.
    /// </summary>
    public string? PublicUrl { get; set; }

    public AttachmentsOptions Attachments { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>
    /// How long a stop (SIGTERM) may take: in-flight requests finish, long polls are answered, WebSockets closed
    /// with 1001, queued writes committed. Keep it below the service manager's own limit (TimeoutStopSec).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary><c>text</c> (human-readable lines) or <c>json</c> (Serilog's compact JSON, one object per line), for console and files.</summary>
    public string LogFormat { get; set; } = LogFormats.Text;
}

/// <summary>The <c>ChatBridge:Database</c> section.</summary>
public sealed class DatabaseOptions
{
    /// <summary><see cref="DatabaseProviders.Sqlite"/> (the file at <c>ChatBridge:DatabasePath</c>) or <see cref="DatabaseProviders.Postgres"/>.</summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    /// <summary>An Npgsql connection string, required with <see cref="DatabaseProviders.Postgres"/>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, DatabaseProviders.Postgres, StringComparison.OrdinalIgnoreCase);
}

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
}

public static class LogFormats
{
    public const string Text = "text";
    public const string Json = "json";
}

/// <summary><c>GET /metrics</c> in the Prometheus text format. It reveals traffic, so only listed networks may read it.</summary>
public sealed class MetricsOptions
{
    /// <summary>Off, <c>/metrics</c> is a 404 and nothing is collected.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Addresses or networks (<c>10.0.0.0/8</c>) that may scrape; everyone else gets a 404. Empty means loopback only.
    /// Behind a proxy listed in <c>TrustedProxies</c>, the client address it forwards is the one checked.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];
}

public enum LegacySessionPolicy
{
    Allow,
    Refuse,
}

/// <summary>The <c>ChatBridge:Chat</c> section: who may use the chat.</summary>
public sealed class ChatOptions
{
    /// <summary>
    /// A private host: the chat page, the widget and the public actions refuse anyone not signed in with a Sanctum
    /// account (401 <c>Authentication required</c>).
    /// </summary>
    public bool RequireSignIn { get; set; }

    /// <summary>
    /// Sessions without an <c>X-Session-Token</c> (made by older clients, old widget links, migrated databases):
    /// <c>allow</c> (the default) keeps them working as before; <c>refuse</c> answers 403 <c>Invalid session token</c> for
    /// them, and for a new session started without a token, except to their signed-in owner.
    /// </summary>
    public LegacySessionPolicy LegacySessions { get; set; } = LegacySessionPolicy.Allow;

    /// <summary>
    /// Whether images in agents' replies that point anywhere but the bridge's own <c>/files/</c> are shown. Off, they
    /// become links: a remote image would tell its server who reads the chat, and when.
    /// </summary>
    public bool RemoteImages { get; set; }
}

/// <summary>The <c>ChatBridge:Attachments</c> section: what one client may upload, and how long its links work.</summary>
public sealed class AttachmentsOptions
{
    /// <summary>Largest file accepted, in bytes (10 MB).</summary>
    public long MaxFileBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Most attachments one message may carry.</summary>
    public int MaxFilesPerMessage { get; set; } = 5;

    /// <summary>Bytes one client address may upload per hour (50 MB); 0 means no budget.</summary>
    public long HourlyBytesPerClient { get; set; } = 50 * 1024 * 1024;

    /// <summary>How long a file's link works for anyone who has it; after that only the session's owner and admins see it.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A folder to keep the files in; a relative path is taken from the repository root. Unset, they are kept in the
    /// database, which every instance shares.
    /// </summary>
    public string? Folder { get; set; }
}

/// <summary>The embeddable chat widget (docs/WIDGET.md).</summary>
public sealed class WidgetOptions
{
    /// <summary>
    /// Sites allowed to embed the widget, as origins (<c>https://example.org</c>). Empty: any site. Governs CORS on the
    /// public actions, who may frame the panel page, and which browser <c>Origin</c>s the API accepts at all.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

public sealed class RateLimitingOptions
{
    public bool Enabled { get; set; } = true;
}

/// <summary>Bounds on <c>/api/v1/ws</c>, so no client can hold unbounded server resources.</summary>
public sealed class WebSocketLimits
{
    /// <summary>Open sockets per client IP; one more is refused with a 429 before the upgrade.</summary>
    public int MaxPerClient { get; set; } = 20;

    /// <summary>Largest message a client may send (the protocol needs none); a larger one closes the socket.</summary>
    public int MaxMessageBytes { get; set; } = 4096;

    /// <summary>Events queued for one socket; a client that falls this far behind is closed and reconnects with <c>after_id</c>.</summary>
    public int SendQueueCapacity { get; set; } = 256;

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>How inbox claims work as leases: a claim that is not answered in time is handed out again.</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// A claimed message with no reply after this long is handed out again. Five minutes: an agent answers in
    /// seconds, a long tool run takes a minute or two, and Broca works through a claimed batch one message at a time,
    /// so a shorter lease would hand out messages Broca is still holding (its dedupe absorbs those, but each one
    /// spends a delivery). A message lost by a restarting Broca waits at most this long.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many strikes a message may take before it counts as stuck. A lapse is a strike only when the Broca that held
    /// the message went on working (answered a message it held together with it) and still left this one unanswered; a
    /// poller that died or threw its claim away costs nothing. A stuck message is never dropped: it is handed out again
    /// after a growing back-off, and the admin sees it until they drop it or retry it.
    /// </summary>
    public int MaxDeliveries { get; set; } = 3;

    /// <summary>The longest a stuck message waits between hand-outs; its back-off doubles from one lease up to this.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class ChatBridgeOptionsValidator : IValidateOptions<ChatBridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatBridgeOptions options)
    {
        List<string> failures = [];
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add("ChatBridge:DatabasePath must name a file.");
        }
        if (options.Database.Provider is var provider
            && !string.Equals(provider, DatabaseProviders.Sqlite, StringComparison.OrdinalIgnoreCase)
            && !options.Database.IsPostgres)
        {
            failures.Add($"ChatBridge:Database:Provider must be '{DatabaseProviders.Sqlite}' or '{DatabaseProviders.Postgres}', not '{provider}'.");
        }
        if (options.ApiKey is { } api && KeyRules.Problem(api) is { } apiProblem)
        {
            failures.Add($"ChatBridge:ApiKey {apiProblem}.");
        }
        if (options.AdminKey is { } admin && KeyRules.Problem(admin) is { } adminProblem)
        {
            failures.Add($"ChatBridge:AdminKey {adminProblem}.");
        }
        if (options.BusyTimeoutMs is < 100 or > 60_000)
        {
            failures.Add("ChatBridge:BusyTimeoutMs must be from 100 to 60000.");
        }
        if (options.LogRetentionDays < 1)
        {
            failures.Add("ChatBridge:LogRetentionDays must be at least 1.");
        }
        if (options.LogMaxSizeMb < 1)
        {
            failures.Add("ChatBridge:LogMaxSizeMb must be at least 1.");
        }
        if (options.WebSockets is not { MaxPerClient: > 0, MaxMessageBytes: > 0, SendQueueCapacity: > 0 })
        {
            failures.Add("ChatBridge:WebSockets:MaxPerClient, MaxMessageBytes and SendQueueCapacity must be positive.");
        }
        if (options.WebSockets.KeepAliveInterval <= TimeSpan.Zero || options.TypingTimeout <= TimeSpan.Zero || options.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add("ChatBridge:WebSockets:KeepAliveInterval, ChatBridge:TypingTimeout and ChatBridge:ShutdownTimeout must be positive.");
        }
        if (options.Inbox.ClaimTimeout <= TimeSpan.Zero || options.Inbox.MaxDeliveries < 1 || options.Inbox.MaxBackoff <= TimeSpan.Zero)
        {
            failures.Add("ChatBridge:Inbox:ClaimTimeout and MaxBackoff must be positive and ChatBridge:Inbox:MaxDeliveries at least 1.");
        }
        foreach (var proxy in options.TrustedProxies.Where(p => !NetworkText.TryParse(p, out _)))
        {
            failures.Add($"ChatBridge:TrustedProxies: '{proxy}' is neither an IP address nor a network such as 10.0.0.0/8.");
        }
        foreach (var origin in options.Widget.AllowedOrigins.Where(o => !OriginText.TryParse(o, out _)))
        {
            failures.Add($"ChatBridge:Widget:AllowedOrigins: '{origin}' is not an origin such as https://example.org or http://127.0.0.1:5123.");
        }
        foreach (var network in options.Metrics.AllowedNetworks.Where(p => !NetworkText.TryParse(p, out _)))
        {
            failures.Add($"ChatBridge:Metrics:AllowedNetworks: '{network}' is neither an IP address nor a network such as 10.0.0.0/8.");
        }
        failures.AddRange(AttachmentsProblems(options));
        if (options.LogFormat is not (LogFormats.Text or LogFormats.Json))
        {
            failures.Add($"ChatBridge:LogFormat must be '{LogFormats.Text}' or '{LogFormats.Json}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A file is held in memory whole while it is checked, so it must fit one array, with room to spare.</summary>
    private const long MaxFileBytesCeiling = 256L * 1024 * 1024;

    private static IEnumerable<string> AttachmentsProblems(ChatBridgeOptions options)
    {
        var attachments = options.Attachments;
        if (attachments.MaxFileBytes is < 1 or > MaxFileBytesCeiling)
        {
            yield return $"ChatBridge:Attachments:MaxFileBytes must be from 1 to {MaxFileBytesCeiling}.";
        }
        if (attachments.MaxFilesPerMessage is < 1 or > 20)
        {
            yield return "ChatBridge:Attachments:MaxFilesPerMessage must be from 1 to 20.";
        }
        if (attachments.HourlyBytesPerClient < 0)
        {
            yield return "ChatBridge:Attachments:HourlyBytesPerClient must be 0 (no budget) or more.";
        }
        if (attachments.LinkLifetime <= TimeSpan.Zero)
        {
            yield return "ChatBridge:Attachments:LinkLifetime must be positive.";
        }
        if (options.PublicUrl is { } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0))
        {
            yield return $"ChatBridge:PublicUrl: '{url}' is not an http or https address without query or fragment, such as https://chat.example.org.";
        }
    }
}
