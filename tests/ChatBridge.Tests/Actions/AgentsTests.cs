namespace ChatBridge.Tests.Actions;

public sealed class AgentsTests
{
    [Fact]
    public async Task Lists_active_agents_by_name_with_their_fields()
    {
        using var app = new BridgeApp();
        app.AddAgent("Timbre");
        app.AddAgent("Athena");
        app.AddAgent("Retired", status: "inactive");

        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();

        var agents = data.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(["Athena", "Timbre"], agents.Select(a => a.GetProperty("name").GetString()));
        Assert.True(agents[0].GetProperty("id").GetInt64() > 0);
        Assert.Equal("Athena helps", agents[0].GetProperty("description").GetString());
        Assert.Equal("active", agents[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task No_agents_is_an_empty_list()
    {
        using var app = new BridgeApp();
        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();
        Assert.Empty(data.GetProperty("agents").EnumerateArray());
    }

    [Fact]
    public async Task An_inactive_agent_cannot_be_chosen()
    {
        using var app = new BridgeApp();
        var retired = app.AddAgent("Retired", status: "inactive");

        var response = await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_agent_off", message = "hi", agent_id = retired });

        await response.AssertErrorAsync(400, "Invalid agent_id");
    }
}
