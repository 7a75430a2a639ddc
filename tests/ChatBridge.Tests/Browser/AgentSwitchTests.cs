using Dapper;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AgentSwitchTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    [Fact]
    public async Task Switching_agent_opens_that_agents_own_session_with_an_empty_transcript()
    {
        app.AddAgent("Athena");
        app.AddAgent("Monday");
        app.AddAgent("Retired", status: "inactive", active: false);
        var athenaId = await AgentIdAsync("Athena");
        var chat = await ChatPage.OpenAsync(Browser, app);
        var picker = chat.Page.GetByLabel("Agent", new() { Exact = true });
        await Expect(picker.Locator("option")).ToHaveTextAsync(["Athena", "Monday"]);
        await Expect(chat.Page.Locator("#agent-name")).ToHaveTextAsync("Athena");

        var athenaSession = await chat.SessionIdAsync();
        await chat.SendAsync("Hello Athena");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");
        using (var db = app.OpenDatabase())
        {
            Assert.Equal(athenaId, await db.ExecuteScalarAsync<long?>(
                "SELECT agent_id FROM web_chat_sessions WHERE session_id = @athenaSession", new { athenaSession }));
        }

        await picker.SelectOptionAsync(new Microsoft.Playwright.SelectOptionValue { Label = "Monday" });
        await chat.WaitUntilReadyAsync();

        var mondaySession = await chat.SessionIdAsync();
        Assert.NotEqual(athenaSession, mondaySession);
        await Expect(chat.UserMessages).ToHaveCountAsync(0);
        await Expect(chat.AgentMessages).ToHaveCountAsync(0);
        await Expect(chat.Transcript).ToContainTextAsync("You are talking to Monday.");
        await Expect(chat.Page.Locator("#agent-name")).ToHaveTextAsync("Monday");

        await picker.SelectOptionAsync(new Microsoft.Playwright.SelectOptionValue { Label = "Athena" });
        await chat.WaitUntilReadyAsync();
        Assert.Equal(athenaSession, await chat.SessionIdAsync());
        await Expect(chat.UserMessages.Locator(".bubble-text")).ToHaveTextAsync(["Hello Athena"]);

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(picker).ToHaveValueAsync(athenaId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(athenaSession, await chat.SessionIdAsync());
    }

    private async Task<long> AgentIdAsync(string name)
    {
        using var db = app.OpenDatabase();
        return await db.ExecuteScalarAsync<long>("SELECT id FROM agents WHERE name = @name", new { name });
    }
}
