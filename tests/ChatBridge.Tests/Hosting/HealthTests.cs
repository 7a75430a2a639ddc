using Microsoft.Data.Sqlite;

namespace ChatBridge.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Reports_healthy_with_the_database_check()
    {
        using var app = new BridgeApp();
        var response = await app.Anonymous().GetAsync("/health");

        Assert.Equal(200, (int)response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [SqliteFact]
    public async Task Reports_503_when_the_database_file_is_unusable_and_api_calls_answer_503_as_json()
    {
        using var app = await StartedWithItsFileLetGoAsync();
        // Overwritten in place, never truncated first: an empty file would be a database without tables (the next test).
        await using (var file = new FileStream(app.DatabasePath, FileMode.Open, FileAccess.Write))
        {
            await file.WriteAsync(new byte[8192].Select(_ => (byte)'x').ToArray());
            file.SetLength(8192);
        }

        var health = await app.Anonymous().GetAsync("/health");
        var api = await app.Anonymous().PostMessageAsync("session_broken_disk", "hello?");

        Assert.Equal(503, (int)health.StatusCode);
        Assert.Equal("Unhealthy", (await health.JsonAsync()).GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        await api.AssertErrorAsync(503, "Database unavailable, retry shortly");
    }

    [SqliteFact]
    public async Task A_database_file_emptied_while_the_service_runs_is_a_503_as_json_and_not_an_internal_error()
    {
        using var app = await StartedWithItsFileLetGoAsync();
        await File.WriteAllBytesAsync(app.DatabasePath, []);

        var health = await app.Anonymous().GetAsync("/health");
        var api = await app.Anonymous().PostMessageAsync("session_emptied_disk", "hello?");

        Assert.Equal(503, (int)health.StatusCode);
        await api.AssertErrorAsync(503, "Database unavailable, retry shortly");
    }

    /// <summary>A started host whose pooled connections are closed and whose -wal and -shm are gone, so the test may replace its file.</summary>
    private static async Task<BridgeApp> StartedWithItsFileLetGoAsync()
    {
        var app = new BridgeApp();
        await (await app.Anonymous().GetAsync("/health")).Content.ReadAsStringAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(app.DatabasePath + "-wal");
        File.Delete(app.DatabasePath + "-shm");
        return app;
    }

    [Fact]
    public async Task Serves_the_chat_page_and_the_admin_page()
    {
        using var app = new BridgeApp();
        var chat = await app.Anonymous().GetAsync("/");
        var admin = await app.Anonymous().GetAsync("/admin");

        Assert.Equal("text/html", chat.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", admin.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title", await chat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("admin", await admin.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
