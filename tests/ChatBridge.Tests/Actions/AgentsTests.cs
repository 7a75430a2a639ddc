using ChatBridge.Tests.Sanctum;

namespace ChatBridge.Tests.Actions;

/// <summary>Agents as the control app means them: offered by <c>is_active</c>, <c>status</c> only a label, visibility lists obeyed.</summary>
public sealed class AgentsTests
{
    [Fact]
    public async Task Offers_the_agents_the_control_app_marks_active_by_name_with_status_as_a_label()
    {
        using var app = new BridgeApp();
        app.AddAgent("Timbre", status: "error");
        app.AddAgent("Athena", status: "Healthy");
        app.AddAgent("Retired", status: "active", active: false);

        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();

        var agents = data.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(["Athena", "Timbre"], agents.Select(a => a.GetProperty("name").GetString()));
        Assert.True(agents[0].GetProperty("id").GetInt64() > 0);
        Assert.Equal("Athena helps", agents[0].GetProperty("description").GetString());
        Assert.Equal("Healthy", agents[0].GetProperty("status").GetString());
        Assert.Equal("error", agents[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task No_agents_is_an_empty_list()
    {
        using var app = new BridgeApp();
        var data = await (await app.Anonymous().GetAsync("/api/v1/?action=agents")).DataAsync();
        Assert.Empty(data.GetProperty("agents").EnumerateArray());
    }

    [Fact]
    public async Task An_agent_the_control_app_deactivated_cannot_be_chosen_whatever_its_status_says()
    {
        using var app = new BridgeApp();
        var retired = app.AddAgent("Retired", status: "active", active: false);

        var response = await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_agent_off", message = "hi", agent_id = retired });

        await response.AssertErrorAsync(400, "Invalid agent_id");
    }

    [Fact]
    public async Task An_anonymous_visitor_sees_and_uses_only_agents_open_to_everyone()
    {
        using var app = new BridgeApp();
        app.AddAgent("Open");
        app.AddAgent("Open with empty lists", visibleToUsers: "[]", visibleToRoles: "[]");
        var staff = app.AddAgent("Staff only", visibleToRoles: """["staff"]""");
        app.AddAgent("Ada's", visibleToUsers: "[1]");

        var names = await AgentNamesAsync(app.Anonymous());
        var use = await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_anon_staff", message = "hi", agent_id = staff });

        Assert.Equal(["Open", "Open with empty lists"], names);
        await use.AssertErrorAsync(400, "Invalid agent_id");
    }

    [Fact]
    public async Task A_signed_in_user_also_gets_agents_that_name_them_or_their_role_and_an_admin_gets_all()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada", role: "staff");
        var bob = app.AddUser("bob");
        app.AddUser("root", role: "admin");
        app.AddAgent("Open");
        var staff = app.AddAgent("Staff only", visibleToRoles: """["staff"]""");
        app.AddAgent("Bob's", visibleToUsers: $"[{bob}]");
        app.AddAgent("Ada's by text id", visibleToUsers: $"""["{ada}"]""");
        app.AddAgent("Unreadable list", visibleToUsers: "not json");

        var adaSees = await AgentNamesAsync(await app.SignedInAsync("ada"));
        var bob1 = await app.SignedInAsync("bob");
        var bobSees = await AgentNamesAsync(bob1);
        var rootSees = await AgentNamesAsync(await app.SignedInAsync("root"));
        var bobUsesStaff = await bob1.PostJsonAsync("messages", new { session_id = "session_bob_staff", message = "hi", agent_id = staff });

        Assert.Equal(["Ada's by text id", "Open", "Staff only"], adaSees);
        Assert.Equal(["Bob's", "Open"], bobSees);
        Assert.Equal(["Ada's by text id", "Bob's", "Open", "Staff only", "Unreadable list"], rootSees);
        await bobUsesStaff.AssertErrorAsync(400, "Invalid agent_id");
    }

    [Fact]
    public async Task A_change_made_in_the_control_app_shows_on_the_next_request()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        Assert.Equal(["Athena"], await AgentNamesAsync(app.Anonymous()));

        app.Execute("UPDATE agents SET visible_to_roles = '[\"admin\"]' WHERE id = $id", ("$id", athena));

        Assert.Empty(await AgentNamesAsync(app.Anonymous()));
    }

    [Fact]
    public async Task A_session_whose_agent_was_deleted_has_no_agent()
    {
        using var app = new BridgeApp();
        var athena = app.AddAgent("Athena");
        (await app.Anonymous().PostJsonAsync("messages", new { session_id = "session_orphan", message = "hi", agent_id = athena })).EnsureSuccessStatusCode();

        // The control app deletes with foreign keys off: the session keeps the id of an agent that no longer exists.
        app.ExecuteWithoutForeignKeys("DELETE FROM agents WHERE id = $id", ("$id", athena));

        var claimed = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        var listed = await (await app.Admin().GetAsync("/api/v1/?action=sessions")).DataAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, claimed.GetProperty("messages")[0].GetProperty("agent_id").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("sessions")[0].GetProperty("agent_id").ValueKind);
    }

    private static async Task<List<string>> AgentNamesAsync(HttpClient client) =>
        [.. (await (await client.GetAsync("/api/v1/?action=agents")).DataAsync()).GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()!)];
}
