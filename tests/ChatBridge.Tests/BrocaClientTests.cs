using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace ChatBridge.Tests;

/// <summary>
/// The bridge as Broca's web_chat plugin uses it: every request carries Content-Type: application/json and
/// no body, inbox is polled with only limit and offset, outbox gets only session_id and response, and any
/// status but 200 is a failure.
/// </summary>
public sealed class BrocaClientTests(BridgeApp app) : IClassFixture<BridgeApp>
{
    [Fact]
    public async Task A_full_round_trip_as_broca_makes_it()
    {
        var user = app.Anonymous();
        var posted = await (await user.PostMessageAsync("session_broca_trip", "What is the capital of France?")).DataAsync();

        // Start-up probe, then the regular poll.
        var probe = await BrocaGetAsync($"/api/v1/?action=inbox&limit=1&offset=0");
        Assert.Equal(200, (int)probe.StatusCode);
        var poll = await (await BrocaGetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();

        var all = (await probe.DataAsync()).GetProperty("messages").EnumerateArray().Concat(poll.GetProperty("messages").EnumerateArray()).ToList();
        var message = all.Single(m => m.GetProperty("session_id").GetString() == "session_broca_trip");
        var id = message.GetProperty("id").GetInt64();
        var text = message.GetProperty("message").GetString();
        var uid = message.GetProperty("uid").GetString();
        var timestamp = message.GetProperty("timestamp").GetString()!;
        Assert.Equal(posted.GetProperty("message_id").GetInt64(), id);
        Assert.Equal("What is the capital of France?", text);
        Assert.Equal(posted.GetProperty("uid").GetString(), uid);
        // Python's datetime.fromisoformat after replacing Z with +00:00.
        Assert.True(DateTimeOffset.TryParseExact(timestamp.Replace("Z", "+00:00", StringComparison.Ordinal), "yyyy-MM-dd'T'HH:mm:ss.fffzzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out _));

        var reply = new HttpRequestMessage(HttpMethod.Post, "/api/v1/?action=outbox")
        {
            Content = new StringContent("""{"session_id": "session_broca_trip", "response": "Paris."}""", Encoding.UTF8, "application/json"),
        };
        reply.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BridgeApp.ApiKey);
        var replied = await app.Anonymous().SendAsync(reply);
        Assert.Equal(200, (int)replied.StatusCode);
        Assert.True((await replied.JsonAsync()).GetProperty("success").GetBoolean());

        var responses = await (await user.GetAsync("/api/v1/?action=responses&session_id=session_broca_trip")).DataAsync();
        Assert.Equal("Paris.", Assert.Single(responses.GetProperty("responses").EnumerateArray()).GetProperty("response").GetString());
    }

    [Fact]
    public async Task An_unset_key_sent_as_an_empty_bearer_is_a_401()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/?action=inbox&limit=50&offset=0")
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");

        var response = await app.Anonymous().SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.False((await response.JsonAsync()).GetProperty("success").GetBoolean());
    }

    private Task<HttpResponseMessage> BrocaGetAsync(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BridgeApp.ApiKey);
        return app.Anonymous().SendAsync(request);
    }
}
