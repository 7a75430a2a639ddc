using ChatBridge.Access;
using ChatBridge.Chat;
using ChatBridge.Hosting;
using ChatBridge.Http;
using ChatBridge.Inbox;
using ChatBridge.Realtime;
using ChatBridge.Widget;

var (command, hostArgs) = HostCommands.Parse(args);         // verbs: keys …, backup --to FILE, copy-to-postgres
var builder = WebApplication.CreateBuilder(BridgeHostExtensions.WithHostDefaults(hostArgs));
builder.ListenOnDefaultPort();
builder.AddChatBridgeLogging();                             // Serilog: console + rolling files, text or JSON
builder.AddBridgeMetrics();                                 // OpenTelemetry meters, Prometheus exporter
builder.Services.AddControlDatabase(builder.Configuration); // options, SQLite, repositories, settings
builder.Services.AddBridgeApi();                            // JSON as on the wire, CORS for the public actions
builder.Services.AddBridgeAuth();                           // api key and admin key as an authentication scheme
builder.Services.AddBridgeRateLimiting();                   // hourly limits per client IP from the settings
builder.Services.AddRealtime();                             // notification hub, long polls, typing
builder.Services.AddSessionSocket();                        // /api/v1/ws: a session's events as they happen
builder.Services.AddInboxDelivery();                        // inbox claims as leases, handed out again when they lapse
builder.Services.AddBridgeHealthChecks();
builder.Services.AddBridgeSwagger();
builder.Services.AddWidget();                               // sites allowed to embed the chat widget
builder.Services.AddChatUi();                               // pages and scripts sent compressed

var app = builder.Build();
if (command is not { InitializesDatabase: false })          // copy-to-postgres must leave its source as it is
{
    await app.InitializeControlDatabaseAsync();             // create or upgrade the schema, seed keys
}
if (command is not null)
{
    return await command.RunAsync(app.Services);
}

app.UseTrustedProxies();                                    // client address from X-Forwarded-For, if configured
app.UseBridgeMetrics();                                     // /metrics, for allowed networks only
app.UseBridgeErrorHandling();                               // every failure is a JSON envelope
app.UseChatBridgeRequestLogging();
app.UseSecurityHeaders();                                   // CSP, nosniff, no framing (but the widget panel's)
app.UseWidget();                                            // old widget URLs; refuse origins not allowed to embed
app.UseBridgeSwagger();                                     // /swagger
app.UseChatUi();                                            // /, /admin
app.UseBridgeWebSockets();                                  // WebSocket upgrades with keep-alive pings
app.UseActionRoute();                                       // ?action=NAME -> /api/v1/NAME
app.UseRouting();
app.UsePublicCors();                                        // the public actions' CORS policy
app.UseAuthentication();
app.UseAuthorization();                                     // keys, before any rate limit is spent
app.UseBridgeRateLimiting();
app.MapSessionSocket();                                     // /api/v1/ws
app.MapBridgeApi();                                         // /api/v1/NAME per action, grouped by feature
app.MapWidget();                                            // /widget/config, the loader's check
app.MapBridgeHealthChecks();                                // /health
await app.RunAsync();
return 0;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
