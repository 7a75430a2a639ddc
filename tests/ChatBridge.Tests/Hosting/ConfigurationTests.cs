using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Hosting;

public sealed class ConfigurationTests
{
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
}
