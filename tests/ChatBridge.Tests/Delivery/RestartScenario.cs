using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ChatBridge.Tests.Delivery;

/// <summary>
/// The reported scenario, on a clock that moves a second at a time: users post 495 messages (9 a second, one per
/// session, since Broca's replies name no message) while Broca's web_chat plugin is restarted ten times. Each start
/// probes the inbox as the plugin's <c>test_connection()</c> does and throws the answer away, then polls every 5 s (its
/// default <c>WEB_CHAT_POLL_INTERVAL</c>); its agent answers each new message 4 s after the claim (longer than the lease,
/// so the plugin's dedupe drops redeliveries of what it is working on); the second poll of a run never reaches it (lost
/// on the wire); a stop loses what was not answered yet, and the dedupe with it. Most runs are short, as in a crash
/// loop, so messages lapse while Broca is down and the next start's probe takes them again. The last start runs until
/// every message is answered.
/// </summary>
internal sealed class RestartScenario(BridgeApp app, FakeTimeProvider time)
{
    public const int Messages = 495;

    private const int PerSecond = 9;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AnswerLatency = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(2);

    /// <summary>How long each of the runs before the last lasts, in seconds.</summary>
    private static readonly int[] RunSeconds = [12, 4, 4, 4, 9, 4, 4, 4, 9, 4];

    /// <summary>The plugin's start-up, its poll loop and its answers, as late as the test lets it take.</summary>
    private static readonly TimeSpan FinalRunLimit = TimeSpan.FromHours(3);

    private readonly HttpClient _http = app.Anonymous();
    private int _sessions;

    public Dictionary<long, string> Posted { get; } = [];

    public Dictionary<long, int> HandedOut { get; } = [];

    public Dictionary<long, int> Replies { get; } = [];

    public TimeSpan Recovery { get; private set; }

    public int Lost => Posted.Keys.Count(id => !Replies.ContainsKey(id));

    public int AnsweredTwice => Replies.Values.Count(n => n > 1);

    public int Strikes { get; private set; }

    public int Stuck { get; private set; }

    public async Task RunAsync()
    {
        foreach (var seconds in RunSeconds)
        {
            await RunBrocaAsync(TimeSpan.FromSeconds(seconds));
            for (var down = TimeSpan.Zero; down < Downtime; down += TimeSpan.FromSeconds(1))
            {
                await TickAsync();
            }
        }
        var lastStart = time.GetUtcNow();
        await RunBrocaAsync(FinalRunLimit);
        Recovery = time.GetUtcNow() - lastStart;
        await CountStrikesAsync();
    }

    /// <summary>One start of the plugin, until it stops after <paramref name="length"/> (or, on its last start, when all is answered).</summary>
    private async Task RunBrocaAsync(TimeSpan length)
    {
        var started = time.GetUtcNow();
        HashSet<(string, long, string)> dedupe = [];
        List<(JsonElement Message, DateTimeOffset Due)> working = [];
        await PollAsync(limit: 1);
        // The plugin logs and starts its polling task: the first poll is not in the probe's millisecond.
        time.Advance(TimeSpan.FromMilliseconds(10));
        var polls = 0;
        var nextPoll = time.GetUtcNow();
        while (time.GetUtcNow() - started < length && (length < FinalRunLimit || Posted.Count < Messages || Lost > 0))
        {
            await UsersChatAsync();
            if (time.GetUtcNow() >= nextPoll)
            {
                var lostOnTheWire = ++polls == 2;
                foreach (var message in await PollAsync(limit: 50, lostOnTheWire))
                {
                    if (dedupe.Add((message.GetProperty("session_id").GetString()!, message.Id(), message.GetProperty("timestamp").GetString()!)))
                    {
                        working.Add((message, time.GetUtcNow() + AnswerLatency));
                    }
                }
                nextPoll += PollInterval;
            }
            foreach (var done in working.Where(w => w.Due <= time.GetUtcNow()).ToList())
            {
                await AnswerAsync(done.Message);
                working.Remove(done);
            }
            await AdvanceAsync();
        }
    }

    private async Task TickAsync()
    {
        await UsersChatAsync();
        await AdvanceAsync();
    }

    private async Task AdvanceAsync()
    {
        time.Advance(TimeSpan.FromSeconds(1));
        await app.SweepAsync();
    }

    private async Task UsersChatAsync()
    {
        for (var i = 0; i < PerSecond && Posted.Count < Messages; i++)
        {
            var session = $"session_scenario_{++_sessions}";
            var data = await (await _http.PostMessageAsync(session, $"hello from {session}")).DataAsync();
            Posted[data.GetProperty("message_id").GetInt64()] = session;
        }
    }

    /// <summary>The plugin's <c>get_messages()</c>: its headers, only limit and offset; an answer lost on the wire is an exception it logs.</summary>
    private async Task<List<JsonElement>> PollAsync(int limit, bool lostOnTheWire = false)
    {
        var request = BrocaRequest(HttpMethod.Get, $"/api/v1/?action=inbox&limit={limit}&offset=0");
        if (lostOnTheWire)
        {
            request.Headers.Add(AbortedInboxAnswers.Header, "1");
            await Assert.ThrowsAnyAsync<Exception>(() => _http.SendAsync(request));
            return [];
        }
        var data = await (await _http.SendAsync(request)).DataAsync();
        List<JsonElement> messages = [.. data.GetProperty("messages").EnumerateArray()];
        foreach (var message in messages)
        {
            HandedOut[message.Id()] = HandedOut.GetValueOrDefault(message.Id()) + 1;
        }
        return messages;
    }

    /// <summary>The plugin's <c>post_response()</c>: session and text only.</summary>
    private async Task AnswerAsync(JsonElement message)
    {
        var request = BrocaRequest(HttpMethod.Post, "/api/v1/?action=outbox");
        request.Content = new StringContent(
            JsonSerializer.Serialize(new { session_id = message.GetProperty("session_id").GetString(), response = "an answer" }), Encoding.UTF8, "application/json");
        await (await _http.SendAsync(request)).DataAsync();
        Replies[message.Id()] = Replies.GetValueOrDefault(message.Id()) + 1;
    }

    private static HttpRequestMessage BrocaRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent("", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BridgeApp.ApiKey);
        request.Headers.UserAgent.ParseAdd("Broca2-WebChat-Plugin/1.0");
        return request;
    }

    private async Task CountStrikesAsync()
    {
        foreach (var (id, session) in Posted)
        {
            var view = await app.AdminViewAsync(session, id);
            Strikes += view.GetProperty("strikes").GetInt32();
            Stuck += view.GetProperty("exhausted").GetBoolean() ? 1 : 0;
        }
    }
}
