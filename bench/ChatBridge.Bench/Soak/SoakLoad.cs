using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;

namespace ChatBridge.Bench.Soak;

/// <summary>
/// A steady mixed load, about what a busy small deployment sees, far below the host's capacity: chat users who post
/// and wait for each answer (polling with a cursor, polling without one as the old widget does, or on a WebSocket
/// opened for the conversation and closed after it), sockets that come and go, one Broca long-polling the inbox and
/// answering at once, and an admin page that refreshes its lists and follows the live feed.
/// </summary>
internal sealed class SoakLoad(HostProcess host, BridgeClient client, SoakActions actions) : IDisposable
{
    private const int Users = 8;
    private const int MessagesPerConversation = 20;
    private const int ChurningSockets = 16;
    private static readonly TimeSpan Think = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AdminEvery = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, MaxConnectionsPerServer = 64 })
    {
        BaseAddress = host.BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    // The conversation each user is in now, for the admin page to open.
    private readonly ConcurrentDictionary<int, string> _current = new();

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(
        [
            .. Enumerable.Range(0, Users).Select(user => UntilStoppedAsync(() => UserAsync(user, stop), stop)),
            .. Enumerable.Range(0, ChurningSockets).Select(i => UntilStoppedAsync(() => ChurnSocketAsync(i, stop), stop)),
            UntilStoppedAsync(() => BrocaAsync(stop), stop),
            UntilStoppedAsync(() => AdminPageAsync(stop), stop),
            UntilStoppedAsync(() => AdminFeedAsync(stop), stop),
        ]);

    public void Dispose() => _http.Dispose();

    /// <summary>Users 0 and 1 poll with a cursor, 2 without one, 3 waits on a WebSocket; and again for 4–7.</summary>
    private async Task UserAsync(int user, CancellationToken stop)
    {
        var byPush = user % 4 == 3;
        for (var conversation = 0; !stop.IsCancellationRequested; conversation++)
        {
            var session = $"session_soak_{user}_{conversation}";
            _current[user] = session;
            ClientWebSocket? socket = null;
            long? cursor = null;
            try
            {
                for (var i = 0; i < MessagesPerConversation && !stop.IsCancellationRequested; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    long? posted = null;
                    if (!await actions.TimeAsync("post", async () => (posted = await client.PostMessageAsync(session, $"Question {i} of conversation {conversation}")) is not null))
                    {
                        await Delay(Think, stop);
                        continue;
                    }
                    if (byPush)
                    {
                        // Opened after the first message binds the session to its token, as the chat page does.
                        socket ??= await ConnectAsync(session, stop);
                        await AwaitPushAsync(socket, posted!.Value, start, stop);
                    }
                    else
                    {
                        cursor = await AwaitPolledAnswerAsync(session, posted!.Value, withCursor: user % 4 != 2, cursor, stop);
                    }
                    await Delay(Think, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                socket?.Abort();
                socket?.Dispose();
            }
        }
    }

    private async Task<ClientWebSocket?> ConnectAsync(string session, CancellationToken stop)
    {
        ClientWebSocket? socket = null;
        await actions.TimeAsync("socket connect", async () =>
        {
            socket = await client.ConnectAsync(session, from: null, stop);
            return true;
        });
        return socket;
    }

    private async Task AwaitPushAsync(ClientWebSocket? socket, long messageId, long start, CancellationToken stop)
    {
        if (socket is null)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(AnswerTimeout);
        var buffer = new byte[16 * 1024];
        try
        {
            while (await PushedResponse.ReceiveAsync(socket, buffer, timeout.Token) is { } reply)
            {
                if (reply.MessageId == messageId)
                {
                    actions.Record("reply by push", Stopwatch.GetTimestamp() - start);
                    return;
                }
            }
            actions.Record("reply by push", Stopwatch.GetTimestamp() - start, "socket closed");
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            actions.Record("reply by push", Stopwatch.GetTimestamp() - start, "no answer within 10 s");
        }
    }

    /// <summary>
    /// Polls every quarter second until a reply answers <paramref name="messageId"/>; returns the newest reply id seen
    /// (the next cursor), or null when polling without one (every reply of the conversation each time).
    /// </summary>
    private async Task<long?> AwaitPolledAnswerAsync(string session, long messageId, bool withCursor, long? cursor, CancellationToken stop)
    {
        var action = withCursor ? "poll with cursor" : "poll without cursor";
        var deadline = Stopwatch.GetTimestamp() + (long)(AnswerTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Delay(PollEvery, stop);
            var answered = false;
            await actions.TimeAsync(action, async () =>
            {
                var query = cursor is { } after ? $"responses&session_id={session}&after_id={after}" : $"responses&session_id={session}";
                using var request = new HttpRequestMessage(HttpMethod.Get, Action(query));
                request.Headers.Add(SessionTokens.Header, SessionTokens.For(session));
                using var response = await _http.SendAsync(request, stop);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(stop), cancellationToken: stop);
                foreach (var reply in body.RootElement.GetProperty("data").GetProperty("responses").EnumerateArray())
                {
                    var id = reply.GetProperty("id").GetInt64();
                    cursor = withCursor ? Math.Max(cursor ?? 0, id) : null;
                    answered |= reply.GetProperty("message_id") is { ValueKind: JsonValueKind.Number } answers && answers.GetInt64() == messageId;
                }
                return true;
            });
            if (answered)
            {
                return cursor;
            }
        }
        actions.Record(action, 0, "no answer within 10 s");
        return cursor;
    }

    /// <summary>A browser tab left open on a conversation for 10–30 s, then closed, then another.</summary>
    private async Task ChurnSocketAsync(int index, CancellationToken stop)
    {
        var session = $"session_soak_idle_{index}";
        await actions.TimeAsync("post", async () => await client.PostMessageAsync(session, "Just looking around") is not null);
        var buffer = new byte[16 * 1024];
        while (!stop.IsCancellationRequested)
        {
            using var socket = await ConnectAsync(session, stop);
            using var open = CancellationTokenSource.CreateLinkedTokenSource(stop);
            open.CancelAfter(TimeSpan.FromSeconds(Random.Shared.Next(10, 31)));
            try
            {
                while (socket is not null && await PushedResponse.ReceiveAsync(socket, buffer, open.Token) is not null)
                {
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // Time to close the tab.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            socket?.Abort();
            if (socket is null)
            {
                await Delay(Think, stop);
            }
        }
    }

    /// <summary>Broca: long-polls the inbox and answers every message at once, naming it.</summary>
    private async Task BrocaAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            IReadOnlyList<InboxMessage>? claimed = null;
            try
            {
                await actions.TimeAsync("inbox", async () => (claimed = (await client.ClaimInboxAsync(waitSeconds: 20, stop)).Messages) is not null);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            foreach (var message in claimed ?? [])
            {
                await actions.TimeAsync("outbox", async () => await client.PostOutboxAsync(message.SessionId, "Here is what I found.", message.Id) is not null);
            }
            if (claimed is null)
            {
                await Delay(Think, stop);
            }
        }
    }

    /// <summary>The admin console open: its lists, the stats and the newest conversation, every five seconds.</summary>
    private async Task AdminPageAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await AdminAsync("admin sessions", "sessions&limit=50&offset=0", stop);
            await AdminAsync("admin stats", "stats", stop);
            await AdminAsync("admin backlog", "backlog&limit=50&offset=0", stop);
            if (_current.TryGetValue(0, out var session))
            {
                await AdminAsync("admin transcript", $"session_messages&session_id={session}", stop);
            }
            await Delay(AdminEvery, stop);
        }
    }

    /// <summary>
    /// The console's live feed: a long poll on <c>admin_events</c> from the cursor of the previous answer, asked again a
    /// second after an answer that carried changes, as <c>admin.js</c> does.
    /// </summary>
    private async Task AdminFeedAsync(CancellationToken stop)
    {
        string? cursor = null;
        while (!stop.IsCancellationRequested)
        {
            var changed = false;
            var ok = await actions.TimeAsync("admin events", async () =>
            {
                using var response = await AdminGetAsync(cursor is null ? "admin_events" : $"admin_events&after={cursor}&wait=25", stop);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(stop), cancellationToken: stop);
                var data = body.RootElement.GetProperty("data");
                changed = cursor is not null && data.GetProperty("events").GetArrayLength() > 0;
                cursor = data.GetProperty("cursor").GetString();
                return true;
            });
            if (!ok || changed)
            {
                await Delay(ok ? TimeSpan.FromSeconds(1) : Think, stop);
            }
        }
    }

    private Task<bool> AdminAsync(string action, string query, CancellationToken stop) => actions.TimeAsync(action, async () =>
    {
        using var response = await AdminGetAsync(query, stop);
        await response.Content.ReadAsByteArrayAsync(stop);
        return response.StatusCode == HttpStatusCode.OK;
    });

    private Task<HttpResponseMessage> AdminGetAsync(string query, CancellationToken stop)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Action(query));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        return SendAndDisposeRequestAsync(request, stop);
    }

    private async Task<HttpResponseMessage> SendAndDisposeRequestAsync(HttpRequestMessage request, CancellationToken stop)
    {
        using (request)
        {
            return await _http.SendAsync(request, stop);
        }
    }

    /// <summary>Runs one actor until the soak ends; the call it was in when stopped is cancelled, not an error.</summary>
    private static async Task UntilStoppedAsync(Func<Task> actor, CancellationToken stop)
    {
        try
        {
            await actor();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static Uri Action(string query) => new($"api/v1/?action={query}", UriKind.Relative);

    private static async Task Delay(TimeSpan time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(time, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop's condition ends it.
        }
    }
}
