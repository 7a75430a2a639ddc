using ChatBridge.Settings;
using ChatBridge.Tests.Realtime;

namespace ChatBridge.Tests.Sanctum;

/// <summary>
/// The control app and the bridge on one SQLite file, in both start orders, each with its own statements: the control
/// app only ever runs on SQLite.
/// </summary>
public sealed class ControlAppTests
{
    [SqliteFact]
    public async Task With_the_bridge_first_the_control_app_signs_in_adds_agents_and_reads_its_settings()
    {
        using var app = new BridgeApp();
        _ = app.Services;
        var control = new ControlApp(app.DatabasePath);

        control.Start();
        control.AddUser("ada");
        var logIn = control.LogIn("ada", SanctumAccounts.Password);
        var athena = control.AddAgent("Athena", status: "Healthy");
        control.SetConfig("ui_theme", "dark");
        var config = control.ReadConfig();
        var (version, _) = control.CurrentSchemaVersion();
        control.CountRequest("10.0.0.1", "/api/v1/messages");

        Assert.Null(logIn);
        Assert.Equal(1, version);
        Assert.Contains(config, c => c.Key == "ui_theme" && c.Value == "dark");
        Assert.All(config, c => Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", c.CreatedAt));
        // And the bridge takes what the control app wrote: its agent is offered, its account signs in here too.
        var agents = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();
        Assert.Equal(athena, Assert.Single(agents.GetProperty("agents").EnumerateArray()).GetProperty("id").GetInt64());
        await (await app.Browser().SignInAsync("ada")).DataAsync();
        Assert.Equal(0L, app.Scalar("SELECT COUNT(*) FROM schema_version WHERE version <> 1"));
    }

    [SqliteFact]
    public async Task With_the_control_app_first_the_bridge_keeps_its_rows_and_history_and_never_takes_its_published_keys()
    {
        var folder = Directory.CreateTempSubdirectory("chatbridge-control-first-").FullName;
        try
        {
            var path = Path.Combine(folder, "sanctum_ui.db");
            var control = new ControlApp(path);
            control.Start();
            var ada = control.AddUser("ada", role: "admin");
            var athena = control.AddAgent("Athena");
            using var app = new BridgeApp { DatabasePath = path, Settings = { ["ChatBridge:ApiKey"] = null, ["ChatBridge:AdminKey"] = null } };

            await (await app.WithKey("ObeyG1ant").GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
            await (await app.WithKey("FreeUkra1ne").GetAsync("/api/v1/?action=sessions")).AssertErrorAsync(401, "Invalid admin key");
            var apiKey = (string)app.Scalar("SELECT config_value FROM system_config WHERE config_key = 'api_key'")!;
            Assert.NotEqual("ObeyG1ant", apiKey);
            await (await app.WithKey(apiKey).GetAsync("/api/v1/?action=inbox")).DataAsync();

            // The control app goes on as before, on the same file, with its own history untouched.
            Assert.Null(control.LogIn("ada", SanctumAccounts.Password));
            control.AddAgent("Monday");
            Assert.Equal(1L, control.CurrentSchemaVersion().Version);
            Assert.Equal(ada, app.Scalar("SELECT id FROM users WHERE username = 'ada'"));
            Assert.Equal(athena, app.Scalar("SELECT id FROM agents WHERE name = 'Athena'"));
            Assert.Contains(control.ReadConfig(), c => c.Key == "flask_port" && c.Value == "5000");
            Assert.Equal(2, (await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync()).GetProperty("agents").GetArrayLength());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [SqliteFact]
    public async Task The_control_apps_chat_rows_are_first_class_in_lists_since_stats_broca_and_cleanup()
    {
        using var app = new BridgeApp();
        _ = app.Services;
        var control = new ControlApp(app.DatabasePath);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);

        control.StartChat("session_from_control");
        var messageId = control.PostMessage("session_from_control", "Written by the control app");

        var active = await (await app.Admin().GetAsync("/api/v1/?action=sessions&active=true")).DataAsync();
        Assert.Contains(active.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("id").GetString() == "session_from_control");
        var claimed = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        var message = Assert.Single(claimed.GetProperty("messages").EnumerateArray());
        Assert.Equal(messageId, message.GetProperty("id").GetInt64());
        BridgeRequests.AssertTimestamp(message.GetProperty("timestamp").GetString());
        Assert.Equal(16, message.GetProperty("uid").GetString()!.Length);

        control.PostResponse("session_from_control", "Answered by the control app", messageId);
        var since = await (await app.Anonymous().GetAsync($"/api/v1/?action=responses&session_id=session_from_control&since={Uri.EscapeDataString(Arrange.Stamp(before))}")).DataAsync();
        var history = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_from_control")).DataAsync();
        var stats = await (await app.Admin().GetAsync("/api/v1/?action=stats")).DataAsync();

        Assert.Equal("Answered by the control app", Assert.Single(since.GetProperty("responses").EnumerateArray()).GetProperty("response").GetString());
        Assert.Equal("answered", Assert.Single(history.GetProperty("messages").EnumerateArray()).GetProperty("status").GetString());
        var hourly = stats.GetProperty("hourly").EnumerateArray().ToList();
        Assert.Equal(1, hourly.Sum(b => b.GetProperty("messages").GetInt64()));
        Assert.Equal(1, hourly.Sum(b => b.GetProperty("replies").GetInt64()));

        app.Age("session_from_control", TimeSpan.FromHours(2));
        var cleaned = await (await app.Admin().PostJsonAsync("cleanup", new { })).DataAsync();
        Assert.Equal(1, cleaned.GetProperty("cleaned_count").GetInt32());
    }

    [SqliteFact]
    public async Task A_message_the_control_app_writes_wakes_a_waiting_inbox_long_poll()
    {
        using var app = new BridgeApp();
        _ = app.Services;
        var control = new ControlApp(app.DatabasePath);
        control.StartChat("session_wake_inbox");

        var poll = app.Broca().GetAsync("/api/v1/?action=inbox&wait=25");
        await Eventually.UntilAsync(() => app.Listeners(null) > 0, "the inbox poll waiting");
        control.PostMessage("session_wake_inbox", "wake up");

        var data = await (await poll).DataAsync();
        Assert.Equal("wake up", Assert.Single(data.GetProperty("messages").EnumerateArray()).GetProperty("message").GetString());
    }

    [SqliteFact]
    public async Task A_reply_the_control_app_writes_reaches_an_open_page_and_a_waiting_poll()
    {
        using var app = new BridgeApp();
        (await app.Anonymous().PostMessageAsync("session_wake_page", "hello")).EnsureSuccessStatusCode();
        var messageId = (long)app.Scalar("SELECT id FROM web_chat_messages WHERE session_id = 'session_wake_page'")!;
        var control = new ControlApp(app.DatabasePath);
        await using var socket = await EventSocket.ConnectAsync(app, "session_wake_page");

        var poll = app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_wake_page&wait=25");
        await Eventually.UntilAsync(() => app.Listeners("session_wake_page") > 1, "the poll waiting beside the socket");
        control.PostResponse("session_wake_page", "from the control app", messageId);

        var pushed = await socket.NextAsync("response");
        Assert.Equal("from the control app", pushed.GetProperty("response").GetString());
        var polled = await (await poll).DataAsync();
        Assert.Equal("from the control app", Assert.Single(polled.GetProperty("responses").EnumerateArray()).GetProperty("response").GetString());
    }

    [SqliteFact]
    public async Task The_control_apps_writes_wait_for_no_lock_timeout_while_the_bridge_is_busy_posting()
    {
        using var app = new BridgeApp();
        _ = app.Services;
        var control = new ControlApp(app.DatabasePath);
        control.Start();
        using var stop = new CancellationTokenSource();
        var posters = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            var client = app.Anonymous();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                (await client.PostMessageAsync($"session_busy_{p}", $"message {i}")).EnsureSuccessStatusCode();
            }
        })).ToList();

        // Each of its writes waits at most 5 s for the lock, as Python's sqlite3 does: any that waited longer throws.
        for (var i = 0; i < 40; i++)
        {
            control.AddAgent($"Agent {i}");
            control.SetConfig("ui_theme", i % 2 == 0 ? "dark" : "light");
        }
        await stop.CancelAsync();
        await Task.WhenAll(posters);

        Assert.Equal(40L, app.Scalar("SELECT COUNT(*) FROM agents"));
    }

    [SqliteFact]
    public async Task A_setting_the_control_app_writes_that_the_bridge_cannot_read_is_logged_and_a_weak_key_refused()
    {
        using var app = new FrozenBridgeApp();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        var control = new ControlApp(app.DatabasePath);

        control.SetConfig("rate_limit_messages", "many");
        control.SetConfig("api_key", "weak-key-7");
        app.Time.Advance(SettingsStore.MaxAge); // the settings are read afresh once this old on SQLite

        await (await app.WithKey("weak-key-7").GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
        var config = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        Assert.Equal(50, config.GetProperty("rate_limit_messages").GetInt32());
        var logs = await app.ReadLogsAsync("rate_limit_messages");
        Assert.Contains("rate_limit_messages holds many", logs, StringComparison.Ordinal);
        Assert.Contains("api_key must be 16 to 256", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("weak-key-7", logs, StringComparison.Ordinal);
        Assert.Equal("", config.GetProperty("api_key").GetString());
    }
}
