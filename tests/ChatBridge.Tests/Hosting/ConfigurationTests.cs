using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Hosting;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatbridge-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Settings_files_are_read_at_start_and_not_watched_for_changes()
    {
        using var app = new BridgeApp();
        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();

        // A watch covers the whole content root, and with it any database or log file kept there.
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, file.Source.Path));
    }

    [Fact]
    public async Task Relative_paths_are_taken_from_the_repository_root_or_else_the_application_folder_never_the_working_directory()
    {
        // The same program built inside a checkout (ChatBridge.sln above it) and deployed on its own.
        var checkout = Path.Combine(_folder, "checkout");
        var built = AppProcess.CopyTo(Path.Combine(checkout, "src", "ChatBridge", "bin", "Release"));
        await File.WriteAllTextAsync(Path.Combine(checkout, "ChatBridge.sln"), "");
        var deployed = AppProcess.CopyTo(Path.Combine(_folder, "deployed"));
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;
        string[] relative = ["keys", "show", "--ChatBridge:DatabasePath=db/sanctum_ui.db", "--ChatBridge:LogPath=logs"];

        var fromCheckout = await AppProcess.RunAsync(built, elsewhere, relative);
        var fromDeployment = await AppProcess.RunAsync(deployed, elsewhere, relative);

        Assert.Equal(0, fromCheckout.ExitCode);
        Assert.Equal(0, fromDeployment.ExitCode);
        Assert.True(File.Exists(Path.Combine(checkout, "db", "sanctum_ui.db")));
        Assert.True(Directory.Exists(Path.Combine(checkout, "logs")));
        Assert.True(File.Exists(Path.Combine(deployed, "db", "sanctum_ui.db")));
        Assert.True(Directory.Exists(Path.Combine(deployed, "logs")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task The_application_folders_appsettings_json_applies_whatever_the_working_directory()
    {
        var deployed = AppProcess.CopyTo(Path.Combine(_folder, "deployed"));
        await File.WriteAllTextAsync(Path.Combine(deployed, "appsettings.json"), """
            { "ChatBridge": { "DatabasePath": "data/from-settings.db", "LogPath": "data/logs" } }
            """);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;

        var run = await AppProcess.RunAsync(deployed, elsewhere, "keys", "show");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(deployed, "data", "from-settings.db")));
    }

    [Theory]
    [InlineData(null, "ChatBridge:Database:ConnectionString is required when ChatBridge:Database:Provider is Postgres")]
    [InlineData("Host=127.0.0.1;Port=notaport", "ChatBridge:Database:ConnectionString does not parse")]
    [InlineData("Database=sanctum", "ChatBridge:Database:ConnectionString names no Host")]
    public void Postgres_without_a_usable_connection_string_stops_the_start_saying_why(string? connectionString, string expected)
    {
        using var app = new BridgeApp
        {
            Settings = { ["ChatBridge:Database:Provider"] = "Postgres", ["ChatBridge:Database:ConnectionString"] = connectionString },
        };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_stops_the_start_saying_which_are_known()
    {
        using var app = new BridgeApp { Settings = { ["ChatBridge:Database:Provider"] = "Oracle" } };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("ChatBridge:Database:Provider must be 'Sqlite' or 'Postgres', not 'Oracle'", error.ToString(), StringComparison.Ordinal);
    }
}
