using System.Collections.Concurrent;
using System.Diagnostics;
using ChatBridge.Http;
using ChatBridge.Tests.Realtime;
using Npgsql;
using Xunit.Abstractions;

namespace ChatBridge.Tests.Postgres;

/// <summary>Two instances through a PostgreSQL crash and restart under load.</summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    /// <summary>How long an answer may take while the server is down: a quick 503, not a hang until some timeout.</summary>
    private static readonly TimeSpan QuickAnswer = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(5);

    [PostgresFact]
    public async Task Both_instances_answer_503_while_the_server_is_down_recover_by_themselves_and_keep_every_acknowledged_write()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        using var a = Instances.On(cluster.ConnectionString, "bridge-a");
        using var b = Instances.On(cluster.ConnectionString, "bridge-b");
        Assert.Equal(200, await a.HealthAsync());
        var (session, watching) = await a.WatchNewSessionAsync(b);
        await using var socket = watching;

        var load = new Load();
        using var stopLoad = new CancellationTokenSource();
        var writers = new[]
        {
            load.RunAsync(a.Anonymous(), (client, text) => client.PostMessageAsync(Sessions.New(), text), load.Messages, stopLoad.Token),
            load.RunAsync(b.Anonymous(), (client, text) => client.PostMessageAsync(Sessions.New(), text), load.Messages, stopLoad.Token),
            load.RunAsync(b.Broca(), (client, text) => client.PostReplyAsync(session, text), load.Replies, stopLoad.Token),
        };
        await Eventually.UntilAsync(() => load.Messages.Count >= 20 && load.Replies.Count >= 10 || writers.Any(w => w.IsCompleted), TimeSpan.FromSeconds(30), "writes acknowledged before the crash");
        if (writers.FirstOrDefault(w => w.IsCompleted) is { } ended)
        {
            await ended; // a writer that stopped by itself failed: its exception says why
        }

        await cluster.CrashAsync();
        foreach (var instance in new[] { a, b })
        {
            await Eventually.UntilAsync(async () => await instance.HealthAsync() == 503, QuickAnswer, "/health 503 while the server is down");
            var clock = Stopwatch.StartNew();
            var refused = await instance.Anonymous().PostMessageAsync(Sessions.New(), "Anyone?");
            await refused.AssertErrorAsync(503, Errors.DatabaseUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            Assert.True(clock.Elapsed < QuickAnswer, $"the 503 took {clock.Elapsed}");
            await (await instance.Broca().GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(503, Errors.DatabaseUnavailable);
        }
        // The load goes on against the server that is down until its writes have been refused a few times each.
        await Eventually.UntilAsync(() => load.Refused >= 10, TimeSpan.FromSeconds(30), "writes refused while the server is down");

        await cluster.StartAgainAsync();
        var back = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => await a.HealthAsync() == 200, Recovery, "a's /health 200 after the restart");
        await Eventually.UntilAsync(async () => await b.HealthAsync() == 200, Recovery, "b's /health 200 after the restart");
        var recovered = back.Elapsed;
        await Eventually.UntilAsync(() => load.AcknowledgedSince(back) >= 10, TimeSpan.FromSeconds(30), "writes acknowledged after the restart");
        await stopLoad.CancelAsync();
        await Task.WhenAll(writers);

        Assert.Empty(load.Unexpected);
        var last = (await (await b.Broca().PostReplyAsync(session, "After the restart")).DataAsync()).GetProperty("response_id").GetInt64();
        // What a heard live and what it read back from the database after the outage arrive in no set order: the last
        // reply may come before one that was announced while the server was down.
        var expected = load.Replies.Keys.Append(last).ToHashSet();
        var pushed = new List<long>();
        while (!expected.IsSubsetOf(pushed))
        {
            var evt = await socket.NextAsync();
            if (evt.GetProperty("type").GetString() == "response")
            {
                pushed.Add(evt.GetProperty("data").GetProperty("id").GetInt64());
            }
        }
        Assert.Equal(pushed.Count, pushed.Distinct().Count());

        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        Assert.Empty(await MissingAsync(connection, "SELECT id, message FROM web_chat_messages", load.Messages));
        Assert.Empty(await MissingAsync(connection, "SELECT id, response FROM web_chat_responses", load.Replies));
        output.WriteLine($"{load.Messages.Count} messages and {load.Replies.Count} replies acknowledged, {load.Refused} writes refused with 503; "
            + $"both instances healthy {recovered.TotalMilliseconds:0} ms after the server was back; {pushed.Count} replies pushed across");
    }

    /// <summary>The acknowledged writes whose row is not in the database with the text that was acknowledged.</summary>
    private static async Task<IEnumerable<long>> MissingAsync(NpgsqlConnection connection, string sql, ConcurrentDictionary<long, string> acknowledged)
    {
        var stored = new Dictionary<long, string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetInt64(0)] = reader.GetString(1);
        }
        return acknowledged.Where(w => stored.GetValueOrDefault(w.Key) != w.Value).Select(w => w.Key).ToList();
    }

    /// <summary>Writers that keep posting; each answer must be a 200 (kept, by id and text) or a quick 503, never anything else.</summary>
    private sealed class Load
    {
        private readonly ConcurrentQueue<TimeSpan> _acknowledgedAt = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _refused;

        public ConcurrentDictionary<long, string> Messages { get; } = new();

        public ConcurrentDictionary<long, string> Replies { get; } = new();

        public ConcurrentQueue<string> Unexpected { get; } = new();

        public int Refused => _refused;

        public int AcknowledgedSince(Stopwatch since) => _acknowledgedAt.Count(at => at > _clock.Elapsed - since.Elapsed);

        /// <summary>Writes a new text again and again; <paramref name="kept"/> gets each acknowledged one by its id.</summary>
        public async Task RunAsync(
            HttpClient client, Func<HttpClient, string, Task<HttpResponseMessage>> write, ConcurrentDictionary<long, string> kept, CancellationToken stop)
        {
            client.Timeout = TimeSpan.FromSeconds(15);
            while (!stop.IsCancellationRequested)
            {
                var text = $"write {Guid.NewGuid():N}";
                var clock = Stopwatch.StartNew();
                using var response = await write(client, text);
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode == 200)
                {
                    var data = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data");
                    var id = data.TryGetProperty("response_id", out var responseId) ? responseId.GetInt64() : data.GetProperty("message_id").GetInt64();
                    kept[id] = text;
                    _acknowledgedAt.Enqueue(_clock.Elapsed);
                }
                else if ((int)response.StatusCode == 503 && body.Contains(Errors.DatabaseUnavailable, StringComparison.Ordinal) && clock.Elapsed < QuickAnswer)
                {
                    Interlocked.Increment(ref _refused);
                    await Task.Delay(100, CancellationToken.None);
                }
                else
                {
                    Unexpected.Enqueue($"{(int)response.StatusCode} after {clock.Elapsed}: {body}");
                }
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }
}
