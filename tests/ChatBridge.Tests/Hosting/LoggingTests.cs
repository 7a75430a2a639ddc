using System.Text.Json;

namespace ChatBridge.Tests.Hosting;

public sealed class LoggingTests
{
    [Fact]
    public async Task Request_logs_name_the_action_but_never_keys_or_message_text_even_at_debug()
    {
        const string Secret = "marker-text-that-must-stay-private-4711";
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Debug" } };
        await (await app.Anonymous().PostMessageAsync("session_log_check", Secret)).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_log_check", Secret + " reply")).DataAsync();
        await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        await (await app.WithKey("a-guessed-key-for-the-log-test").GetAsync("/api/v1/?action=config")).AssertErrorAsync(401, "Invalid admin key");

        var logs = await app.ReadLogsAsync(" config responded 401");

        Assert.Contains("HTTP POST /api/v1/ messages responded 200", logs, StringComparison.Ordinal);
        Assert.Contains("HTTP POST /api/v1/ outbox responded 200", logs, StringComparison.Ordinal);
        Assert.Contains("HTTP GET /api/v1/ config responded 401", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.ApiKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.AdminKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("a-guessed-key-for-the-log-test", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_logs_are_one_compact_object_per_line_and_keep_keys_and_message_text_out_too()
    {
        const string Secret = "marker-text-that-must-stay-private-4712";
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Debug", ["ChatBridge:LogFormat"] = "json" } };
        await (await app.Anonymous().PostMessageAsync("session_json_log", Secret)).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await app.Broca().PostReplyAsync("session_json_log", Secret + " reply")).DataAsync();
        await (await app.WithKey("a-guessed-key-for-the-json-log").GetAsync("/api/v1/?action=config")).AssertErrorAsync(401, "Invalid admin key");

        var logs = await app.ReadLogsAsync("\"StatusCode\":401");
        var events = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

        Assert.All(events, e => Assert.True(e.TryGetProperty("@t", out _) && e.TryGetProperty("@mt", out _), e.ToString()));
        Assert.Contains(events, e => e.TryGetProperty("Action", out var action) && action.GetString() == "messages"
            && e.GetProperty("StatusCode").GetInt32() == 200 && e.GetProperty("@l").GetString() == "Debug");
        Assert.Contains(events, e => e.TryGetProperty("Action", out var action) && action.GetString() == "config"
            && e.GetProperty("StatusCode").GetInt32() == 401);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.ApiKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeApp.AdminKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("a-guessed-key-for-the-json-log", logs, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_format_other_than_text_or_json_stops_the_start()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:LogFormat"] = "xml" } };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("ChatBridge:LogFormat must be 'text' or 'json'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routine_successes_are_logged_at_debug_while_admin_actions_and_refusals_stay_at_information()
    {
        using var quiet = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Information" } };
        using var verbose = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Debug" } };
        foreach (var app in new[] { quiet, verbose })
        {
            await (await app.Anonymous().PostMessageAsync("session_log_levels", "x")).DataAsync();
            await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
            await (await app.Broca().PostReplyAsync("session_log_levels", "y")).DataAsync();
            await (await app.Anonymous().PostMessageAsync("", "x")).AssertErrorAsync(400, "Invalid session ID");
            await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();
        }

        var quietLogs = await quiet.ReadLogsAsync("config responded 200");
        var verboseLogs = await verbose.ReadLogsAsync("config responded 200");

        Assert.DoesNotContain("messages responded 200", quietLogs, StringComparison.Ordinal);
        Assert.DoesNotContain("inbox responded 200", quietLogs, StringComparison.Ordinal);
        Assert.DoesNotContain("outbox responded 200", quietLogs, StringComparison.Ordinal);
        Assert.Contains("[INF] HTTP POST /api/v1/ messages responded 400", quietLogs, StringComparison.Ordinal);
        Assert.Contains("[INF] HTTP GET /api/v1/ config responded 200", quietLogs, StringComparison.Ordinal);
        Assert.Contains("[DBG] HTTP POST /api/v1/ messages responded 200", verboseLogs, StringComparison.Ordinal);
        Assert.Contains("[DBG] HTTP GET /api/v1/ inbox responded 200", verboseLogs, StringComparison.Ordinal);
        Assert.Contains("[DBG] HTTP POST /api/v1/ outbox responded 200", verboseLogs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_its_client_abandons_is_logged_as_499_not_as_an_error()
    {
        using var app = new BridgeApp { Settings = { ["Serilog:MinimumLevel:Default"] = "Information" } };
        using var hangUp = new CancellationTokenSource();
        var polling = app.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_log_abandon&wait=30", hangUp.Token);
        await Eventually.UntilAsync(() => app.Listeners("session_log_abandon") > 0, "the poll waiting");

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling);

        var logs = await app.ReadLogsAsync("responded 499");
        Assert.Contains("HTTP GET /api/v1/ responses responded 499", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", logs, StringComparison.Ordinal);
    }
}
