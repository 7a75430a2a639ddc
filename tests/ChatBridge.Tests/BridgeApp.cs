using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ChatBridge.Tests;

/// <summary>
/// The host under test, on a real SQLite file in its own temp folder, or, with <c>CHATBRIDGE_TEST_PROVIDER=Postgres</c>,
/// on a fresh PostgreSQL database of its own (see <see cref="Postgres.PostgresServer"/>): the API suite runs on both.
/// Rate limiting is off unless a test asks for it, so tests that send many requests are not throttled by each other.
/// </summary>
public class BridgeApp : WebApplicationFactory<Program>
{
    /// <summary>The provider the suite runs on, from <c>CHATBRIDGE_TEST_PROVIDER</c>; SQLite by default.</summary>
    public static readonly bool OnPostgres = string.Equals(
        Environment.GetEnvironmentVariable("CHATBRIDGE_TEST_PROVIDER"), "Postgres", StringComparison.OrdinalIgnoreCase);

    private readonly Lazy<Postgres.TestDatabase> _postgres = new(() => Postgres.PostgresServer.CreateMigratedDatabaseAsync().GetAwaiter().GetResult());

    public const string ApiKey = "test-api-key-0123456789";
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly string? _databasePath;
    private readonly Lock _starting = new();

    /// <summary>Whether the rate limits apply; off by default.</summary>
    public bool RateLimiting { get; init; }

    /// <summary>The database file; by default a new one in <see cref="Folder"/>.</summary>
    public string DatabasePath
    {
        get => _databasePath ?? Path.Combine(Folder, "sanctum_ui.db");
        init => _databasePath = value;
    }

    /// <summary>Further configuration, e.g. <c>ChatBridge:ApiKey</c> = null to start without a key seed.</summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public string Folder { get; } = Directory.CreateTempSubdirectory("chatbridge-test-").FullName;

    /// <summary>Replaces services of the host, after its own registrations.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>The host's clock: real time plus whatever a test moves it on by; timers keep real time.</summary>
    public ShiftedClock Clock { get; } = new();

    public string LogFolder => Path.Combine(Folder, "logs");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ChatBridge:DatabasePath"] = DatabasePath,
            ["ChatBridge:LogPath"] = LogFolder,
            ["ChatBridge:ApiKey"] = ApiKey,
            ["ChatBridge:AdminKey"] = AdminKey,
            ["ChatBridge:RateLimiting:Enabled"] = RateLimiting ? "true" : "false",
            // Hundreds of hosts log to the test console; tests about logging ask for Information.
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        if (OnPostgres && !Settings.ContainsKey("ChatBridge:Database:Provider"))
        {
            settings["ChatBridge:Database:Provider"] = "Postgres";
            settings["ChatBridge:Database:ConnectionString"] = _postgres.Value.ConnectionString;
        }
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        // The provider decides which services are registered, before app configuration applies: as host settings.
        foreach (var key in new[] { "ChatBridge:Database:Provider", "ChatBridge:Database:ConnectionString" })
        {
            if (settings.GetValueOrDefault(key) is { } value)
            {
                builder.UseSetting(key, value);
            }
        }
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            TestServices?.Invoke(services);
        });
    }

    /// <summary>Another instance on this one's database: the same file, or the same PostgreSQL database.</summary>
    public BridgeApp SecondInstance(IDictionary<string, string?>? settings = null)
    {
        _ = Services;
        var second = new BridgeApp { DatabasePath = DatabasePath, RateLimiting = RateLimiting };
        if (_postgres.IsValueCreated)
        {
            second.Settings["ChatBridge:Database:Provider"] = "Postgres";
            second.Settings["ChatBridge:Database:ConnectionString"] = _postgres.Value.ConnectionString;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            second.Settings[key] = value;
        }
        return second;
    }

    /// <summary>The command-line settings that point another run of the program (a verb) at this host's database.</summary>
    public IEnumerable<string> DatabaseArguments() => OnPostgres
        ? ["--ChatBridge:Database:Provider=Postgres", $"--ChatBridge:Database:ConnectionString={_postgres.Value.ConnectionString}"]
        : [$"--ChatBridge:DatabasePath={DatabasePath}"];

    /// <summary>
    /// Serves the app through real Kestrel on a free loopback port, for a browser to load, and returns its
    /// base address. The keyed clients then talk to that port too.
    /// </summary>
    public Uri ServeOnLoopback()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address);
    }

    /// <summary>
    /// The host, started once however many threads ask at the same time. WebApplicationFactory builds its server without a
    /// lock: pollers that each made their first client in parallel started a host apiece, and every one but the last
    /// ran on, unstopped, for the rest of the test run. A test that fans out still starts the host before it does: the
    /// threads that wait here are thread-pool threads, which the start needs as well.
    /// </summary>
    public override IServiceProvider Services
    {
        get
        {
            lock (_starting)
            {
                return base.Services;
            }
        }
    }

    /// <summary>A client with no credentials, as the chat UI is.</summary>
    public HttpClient Anonymous()
    {
        _ = Services;
        return CreateClient();
    }

    /// <summary>A client that authenticates as Broca does.</summary>
    public HttpClient Broca() => WithKey(ApiKey);

    public HttpClient Admin() => WithKey(AdminKey);

    public HttpClient WithKey(string key)
    {
        _ = Services;
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A client signed in as the widget's panel is: the sign-in's token in <c>X-Sanctum-Session</c>, no cookie.</summary>
    public HttpClient WithSessionHeader(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Sanctum-Session", token);
        return client;
    }

    /// <summary>How many waits (long polls, sockets) listen for <paramref name="sessionId"/>'s events, or the inbox's when null.</summary>
    public int Listeners(string? sessionId) => Services.GetRequiredService<ChatBridge.Realtime.NotificationHub>().ListenerCount(sessionId);

    /// <summary>Opens the test's database directly (SQLite or PostgreSQL), to arrange rows or check what was stored.</summary>
    public DbConnection OpenDatabase()
    {
        // The host creates the database as it starts, which a factory only does on first use.
        _ = Services;
        // A test may name a PostgreSQL database of its own in Settings (as several instances on one database do).
        var postgres = Settings.TryGetValue("ChatBridge:Database:Provider", out var provider) && provider == "Postgres"
            ? Settings["ChatBridge:Database:ConnectionString"]
            : _postgres.IsValueCreated ? _postgres.Value.ConnectionString : null;
        DbConnection connection = postgres is not null
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            if (_postgres.IsValueCreated)
            {
                _postgres.Value.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A log file still held open by a finishing sink; the OS temp cleaner takes it.
            }
        }
    }
}

/// <summary>Shorthand for the requests tests make again and again.</summary>
public static class BridgeRequests
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string action, object body) =>
        client.PostAsync($"/api/v1/?action={action}", JsonContent.Create(body));

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string action, string body, string contentType = "application/json") =>
        client.PostAsync($"/api/v1/?action={action}", new StringContent(body, Encoding.UTF8, contentType));

    public static Task<HttpResponseMessage> PostMessageAsync(this HttpClient client, string sessionId, string message) =>
        client.PostJsonAsync("messages", new { session_id = sessionId, message });

    public static Task<HttpResponseMessage> PostReplyAsync(this HttpClient broca, string sessionId, string response) =>
        broca.PostJsonAsync("outbox", new { session_id = sessionId, response });

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a 200 success envelope and returns its <c>data</c>.</summary>
    public static async Task<JsonElement> DataAsync(this HttpResponseMessage response)
    {
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"expected success, got {(int)response.StatusCode}: {body}");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("Success", body.GetProperty("message").GetString());
        AssertTimestamp(body.GetProperty("timestamp").GetString());
        return body.GetProperty("data");
    }

    /// <summary>Asserts a failure envelope with exactly this status and error text.</summary>
    public static async Task<JsonElement> AssertErrorAsync(this HttpResponseMessage response, int status, string error)
    {
        var body = await response.JsonAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(status, body.GetProperty("code").GetInt32());
        AssertTimestamp(body.GetProperty("timestamp").GetString());
        return body;
    }

    /// <summary>UTC ISO-8601 with milliseconds and Z, the form Broca parses.</summary>
    public static void AssertTimestamp(string? value) =>
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", value);
}

/// <summary>A host whose clock moves only when its test moves <see cref="Time"/>: its timers, leases and long polls too.</summary>
public class FrozenBridgeApp : BridgeApp
{
    public FrozenBridgeApp() => TestServices = services => services.AddSingleton<TimeProvider>(Time);

    public FakeTimeProvider Time { get; } = TestClocks.Frozen();
}

public static class TestClocks
{
    /// <summary>A clock that stands at this whole second (stored times keep milliseconds) and moves only when a test moves it.</summary>
    public static FakeTimeProvider Frozen()
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeTimeProvider(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)));
    }
}

/// <summary>Real time moved on by <see cref="Advance"/>, for tests of what happens after a while.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
