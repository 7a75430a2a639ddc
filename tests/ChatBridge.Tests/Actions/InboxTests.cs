using System.Collections.Concurrent;
using System.Text.Json;

namespace ChatBridge.Tests.Actions;

/// <summary>Each test has its own database: the inbox is global, so tests must not see each other's messages.</summary>
public sealed class InboxTests
{
    [Fact]
    public async Task Hands_out_unprocessed_messages_oldest_first_with_the_fields_broca_reads()
    {
        using var app = new BridgeApp();
        var posted = await (await app.Anonymous().PostMessageAsync("session_inbox_a", "first")).DataAsync();
        await app.Anonymous().PostMessageAsync("session_inbox_b", "second");

        var data = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=50&offset=0")).DataAsync();

        var messages = data.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["first", "second"], messages.Select(m => m.GetProperty("message").GetString()));
        var first = messages[0];
        Assert.Equal(posted.GetProperty("message_id").GetInt64(), first.GetProperty("id").GetInt64());
        Assert.Equal("session_inbox_a", first.GetProperty("session_id").GetString());
        Assert.Equal(posted.GetProperty("uid").GetString(), first.GetProperty("uid").GetString());
        BridgeRequests.AssertTimestamp(first.GetProperty("timestamp").GetString());
        AssertPagination(data, total: 2, limit: 50, offset: 0, hasMore: false);
    }

    [Fact]
    public async Task A_claimed_message_is_not_handed_out_again()
    {
        using var app = new BridgeApp();
        await app.Anonymous().PostMessageAsync("session_inbox_once", "only once");

        var first = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        var second = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();

        Assert.Equal(1, first.GetProperty("messages").GetArrayLength());
        Assert.Equal(0, second.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task An_empty_inbox_is_a_200_with_an_empty_list()
    {
        using var app = new BridgeApp();
        var response = await app.Broca().GetAsync("/api/v1/?action=inbox&limit=1&offset=0");

        var data = await response.DataAsync();
        Assert.Equal(JsonValueKind.Array, data.GetProperty("messages").ValueKind);
        Assert.Equal(0, data.GetProperty("messages").GetArrayLength());
        AssertPagination(data, total: 0, limit: 1, offset: 0, hasMore: false);
    }

    [Fact]
    public async Task Limit_defaults_to_50_and_is_clamped_to_100()
    {
        using var app = new BridgeApp();
        for (var i = 0; i < 120; i++)
        {
            await app.Anonymous().PostMessageAsync("session_inbox_many", $"m{i}");
        }

        var clamped = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=500")).DataAsync();
        Assert.Equal(100, clamped.GetProperty("messages").GetArrayLength());
        AssertPagination(clamped, total: 120, limit: 100, offset: 0, hasMore: true);

        var rest = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        Assert.Equal(20, rest.GetProperty("messages").GetArrayLength());
        AssertPagination(rest, total: 20, limit: 50, offset: 0, hasMore: false);
        Assert.Equal("m100", rest.GetProperty("messages")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Offset_skips_messages_and_leaves_them_unclaimed()
    {
        using var app = new BridgeApp();
        foreach (var text in new[] { "a", "b", "c", "d" })
        {
            await app.Anonymous().PostMessageAsync("session_inbox_offset", text);
        }

        var page = await (await app.Broca().GetAsync("/api/v1/?action=inbox&limit=2&offset=1")).DataAsync();
        Assert.Equal(["b", "c"], Texts(page));
        AssertPagination(page, total: 4, limit: 2, offset: 1, hasMore: true);

        var remaining = await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        Assert.Equal(["a", "d"], Texts(remaining));
    }

    [Fact]
    public async Task Since_only_claims_newer_messages()
    {
        using var app = new FrozenBridgeApp();
        var old = await (await app.Anonymous().PostMessageAsync("session_inbox_since", "old")).DataAsync();
        app.Time.Advance(TimeSpan.FromMilliseconds(20));
        await app.Anonymous().PostMessageAsync("session_inbox_since", "new");
        var history = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_inbox_since")).DataAsync();
        var oldStamp = history.GetProperty("messages")[0].GetProperty("timestamp").GetString();
        Assert.Equal(old.GetProperty("message_id").GetInt64(), history.GetProperty("messages")[0].GetProperty("id").GetInt64());

        var data = await (await app.Broca().GetAsync($"/api/v1/?action=inbox&since={Uri.EscapeDataString(oldStamp!)}")).DataAsync();

        Assert.Equal(["new"], Texts(data));
    }

    [Fact]
    public async Task Hands_each_message_out_exactly_once_with_concurrent_pollers_while_users_post()
    {
        using var app = new BridgeApp();
        const int Messages = 2000;
        const int Pollers = 8;
        var claimed = new ConcurrentBag<long>();
        var posted = new ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();
        // Started before the nine tasks fan out (see BridgeApp.Services).
        _ = app.Services;

        var posting = Task.Run(async () =>
        {
            var client = app.Anonymous();
            await Parallel.ForAsync(0, Messages, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            {
                var data = await (await client.PostMessageAsync($"session_inbox_race_{i % 25}", $"message {i}")).DataAsync();
                posted.Add(data.GetProperty("message_id").GetInt64());
            });
        });
        var pollers = Enumerable.Range(0, Pollers).Select(_ => Task.Run(async () =>
        {
            var broca = app.Broca();
            while (!stop.IsCancellationRequested)
            {
                var data = await (await broca.GetAsync("/api/v1/?action=inbox&limit=7&offset=0")).DataAsync();
                foreach (var message in data.GetProperty("messages").EnumerateArray())
                {
                    claimed.Add(message.GetProperty("id").GetInt64());
                }
            }
        })).ToList();

        await posting;
        // Drain: keep polling until everything posted has been claimed.
        await Eventually.UntilAsync(() => claimed.Count >= Messages, TimeSpan.FromSeconds(60), "every message claimed");
        await stop.CancelAsync();
        await Task.WhenAll(pollers);

        Assert.Equal(Messages, posted.Count);
        Assert.Equal(Messages, claimed.Count);
        Assert.Equal(posted.Order(), claimed.Order());
    }

    private static List<string?> Texts(JsonElement data) =>
        data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()).ToList();

    private static void AssertPagination(JsonElement data, int total, int limit, int offset, bool hasMore)
    {
        var pagination = data.GetProperty("pagination");
        Assert.Equal(total, pagination.GetProperty("total").GetInt32());
        Assert.Equal(limit, pagination.GetProperty("limit").GetInt32());
        Assert.Equal(offset, pagination.GetProperty("offset").GetInt32());
        Assert.Equal(hasMore, pagination.GetProperty("has_more").GetBoolean());
    }
}
