using System.Text.RegularExpressions;
using ChatBridge.Settings;
using Microsoft.Data.Sqlite;

namespace ChatBridge.Tests.Hosting;

/// <summary>The host's <c>keys</c> verbs and first-start key generation, run as the real program.</summary>
public sealed partial class KeysCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-keys-").FullName;

    private string DatabasePath => Path.Combine(_folder, "db", "sanctum_ui.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_new_database_gets_random_keys_printed_once_and_shown_again_on_request()
    {
        var first = await RunAsync("keys", "show");
        var second = await RunAsync("keys", "show");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("generated keys", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("generated keys", second.Output, StringComparison.Ordinal);
        var keys = Keys(first.Output);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", keys["api_key"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", keys["admin_key"]);
        Assert.NotEqual(keys["api_key"], keys["admin_key"]);
        Assert.Equal(keys, Keys(second.Output));
    }

    [Fact]
    public async Task Rotate_replaces_the_named_key_only()
    {
        var before = Keys((await RunAsync("keys", "show")).Output);

        var api = await RunAsync("keys", "rotate", "api");
        var afterApi = Keys(api.Output);
        var admin = await RunAsync("keys", "rotate", "admin");
        var afterAdmin = Keys(admin.Output);
        var both = Keys((await RunAsync("keys", "rotate")).Output);

        Assert.NotEqual(before["api_key"], afterApi["api_key"]);
        Assert.Equal(before["admin_key"], afterApi["admin_key"]);
        Assert.Equal(afterApi["api_key"], afterAdmin["api_key"]);
        Assert.NotEqual(afterApi["admin_key"], afterAdmin["admin_key"]);
        Assert.NotEqual(afterAdmin["api_key"], both["api_key"]);
        Assert.NotEqual(afterAdmin["admin_key"], both["admin_key"]);
    }

    [Fact]
    public async Task An_unknown_verb_prints_usage_and_fails()
    {
        var result = await RunAsync("keys", "explode");
        var noAgent = await RunAsync("keys", "rotate", "agent");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: ChatBridge keys show | keys rotate [api|admin] | keys rotate agent AGENT_ID", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, noAgent.ExitCode);
    }

    [Fact]
    public async Task The_control_apps_published_seeds_are_replaced_at_start_printed_once_with_what_broca_must_change_and_warned_of()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        new Sanctum.ControlApp(DatabasePath).Start();

        var first = await RunAsync("keys", "show");
        var second = await RunAsync("keys", "show");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("replaced api_key and admin_key", first.Output, StringComparison.Ordinal);
        Assert.Contains("WEB_CHAT_API_KEY", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("replaced", second.Output, StringComparison.Ordinal);
        var keys = Keys(first.Output);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", keys["api_key"]);
        Assert.Equal(keys, Keys(second.Output));
        var logs = string.Concat(Directory.GetFiles(Path.Combine(_folder, "logs"), "*.log").Select(File.ReadAllText));
        Assert.Contains("The stored api_key is a value Sanctum publishes", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(keys["api_key"], logs, StringComparison.Ordinal);
        Assert.DoesNotContain("ObeyG1ant", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_agent_prints_that_agents_new_key_once_and_show_lists_which_agents_have_one()
    {
        await RunAsync("keys", "show");
        using (var db = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            db.Open();
            using var add = db.CreateCommand();
            add.CommandText = "INSERT INTO agents (name, letta_uid) VALUES ('Athena', 'agent-athena'), ('Monday', 'agent-monday')";
            add.ExecuteNonQuery();
        }

        var rotated = await RunAsync("keys", "rotate", "agent", "1");
        var missing = await RunAsync("keys", "rotate", "agent", "99");
        var shown = await RunAsync("keys", "show");

        Assert.Equal(0, rotated.ExitCode);
        var key = AgentKeyLine().Match(rotated.Output).Groups[1].Value;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("There is no agent 99", missing.Error, StringComparison.Ordinal);
        Assert.Contains("agent 1 (Athena)", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("agent 2 (Monday)", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_rotated_from_the_command_line_stops_working_in_the_running_service()
    {
        using var app = new FrozenBridgeApp { DatabasePath = DatabasePath };
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();

        var rotated = Keys((await RunAsync(["keys", "rotate", "api"], app.DatabaseArguments())).Output)["api_key"];

        // The running service reads settings another program wrote once its copy is this old.
        app.Time.Advance(SettingsStore.MaxAge);
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
        await (await app.WithKey(rotated).GetAsync("/api/v1/?action=inbox")).DataAsync();
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] verb) =>
        RunAsync(verb, [$"--ChatBridge:DatabasePath={DatabasePath}"]);

    private Task<(int ExitCode, string Output, string Error)> RunAsync(string[] verb, IEnumerable<string> database) =>
        AppProcess.RunAsync(AppProcess.BuiltFolder, _folder, [.. verb, .. database, $"--ChatBridge:LogPath={Path.Combine(_folder, "logs")}"]);

    /// <summary>The keys a run printed; a first start prints them twice (generated, then shown), the last print wins.</summary>
    private static Dictionary<string, string> Keys(string output)
    {
        var keys = new Dictionary<string, string>();
        foreach (Match match in KeyLine().Matches(output))
        {
            keys[match.Groups[1].Value] = match.Groups[2].Value;
        }
        return keys;
    }

    [GeneratedRegex(@"^\s+(api_key|admin_key): (\S+)$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^\s+agent 1: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex AgentKeyLine();
}
