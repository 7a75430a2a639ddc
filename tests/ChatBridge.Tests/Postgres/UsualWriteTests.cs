using System.Text.Json;
using ChatBridge.Chat;
using ChatBridge.Http;
using ChatBridge.Tests.Attachments;
using ChatBridge.Tests.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// On PostgreSQL a usual message or reply is stored by one statement without a transaction, one round trip to the
/// server; a retry, a session bound to another token, a message with attachments and a refused reply are decided in a
/// transaction.
/// </summary>
public sealed class UsualWriteTests
{
    private const string Mine = SessionTokenTests.Mine;
    private const string Theirs = SessionTokenTests.Theirs;
    private const string StoresAMessage = "INSERT INTO web_chat_messages";

    // Every reply's write starts with its session's touch, also one refused or for an unknown session.
    private const string TouchesTheSession = "UPDATE web_chat_sessions SET last_active";
    private const string SendId = "6f1c2b9e-4d3a-4f8e-9b7c-0a1d2e3f4a5b";

    [PostgresFact]
    public async Task A_usual_message_commits_by_itself_and_the_other_cases_are_decided_in_a_transaction()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        RecordingDatabase? writes = null;
        using var app = Instances.On(db.ConnectionString, "usual-message", RecordingDatabase.Around(found => writes = found));
        var owner = app.WithToken(Mine);
        var legacy = app.Anonymous();
        WriteKind[] alone = [WriteKind.Statement];
        WriteKind[] decidedInATransaction = [WriteKind.Statement, WriteKind.Transaction];

        await SendAsync(() => owner.PostMessageAsync("session_usual_bound", "creates the session"), alone);
        await SendAsync(() => owner.PostMessageAsync("session_usual_bound", "its token again"), alone);
        await SendAsync(() => legacy.PostMessageAsync("session_usual_legacy", "creates a legacy session"), alone);
        await SendAsync(() => legacy.PostMessageAsync("session_usual_legacy", "and again"), alone);
        var retried = new { session_id = "session_usual_bound", message = "sent twice", client_message_id = SendId };
        await SendAsync(() => owner.PostJsonAsync("messages", retried), alone);
        await SendAsync(() => owner.PostJsonAsync("messages", retried), decidedInATransaction);
        var upload = await owner.UploadedAsync("session_usual_bound", TestFiles.Png(), "a.png");
        await SendAsync(() => owner.PostWithAttachmentsAsync("session_usual_bound", "with a file", upload.Id()), [WriteKind.Transaction]);

        // As a message whose guard read the session before another request bound it to another token.
        var sessions = app.Services.GetRequiredService<ISessionStore>();
        var (stranger, refusal) = await sessions.AddMessageAsync(
            new NewMessage("session_usual_bound", "not mine", null, null, "127.0.0.1", "test", TokenHash: SessionToken.Hash(Theirs)), default);
        Assert.Null(stranger);
        Assert.Equal(MessageRefusal.InvalidSessionToken, refusal);
        Assert.Equal(decidedInATransaction, writes!.TakeKindsOf(StoresAMessage));
        var (byOwner, _) = await sessions.AddMessageAsync(
            new NewMessage("session_usual_bound", "the owner, signed in", null, null, "127.0.0.1", "test", ByOwnership: true), default);
        Assert.NotNull(byOwner);
        Assert.Equal(alone, writes.TakeKindsOf(StoresAMessage));

        Assert.Equal(5L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_usual_bound'"));
        Assert.Equal(2L, app.Scalar("SELECT COUNT(*) FROM web_chat_messages WHERE session_id = 'session_usual_legacy'"));

        async Task SendAsync(Func<Task<HttpResponseMessage>> send, WriteKind[] expected)
        {
            _ = app.Services;
            writes!.TakeKindsOf(StoresAMessage);
            (await send()).EnsureSuccessStatusCode();
            Assert.Equal(expected, writes.TakeKindsOf(StoresAMessage));
        }
    }

    [PostgresFact]
    public async Task A_usual_reply_commits_by_itself_and_a_refused_one_is_decided_in_a_transaction()
    {
        await using var db = await PostgresServer.CreateDatabaseAsync();
        RecordingDatabase? writes = null;
        using var app = Instances.On(db.ConnectionString, "usual-reply", RecordingDatabase.Around(found => writes = found));
        var broca = app.Broca();
        var asked = await (await app.Anonymous().PostMessageAsync("session_usual_reply", "question")).DataAsync();
        var other = await (await app.Anonymous().PostMessageAsync("session_usual_other", "question")).DataAsync();
        (await broca.GetAsync("/api/v1/?action=inbox&limit=10")).EnsureSuccessStatusCode();

        var linked = await ReplyAsync(() => broca.PostReplyAsync("session_usual_reply", "the oldest one"), [WriteKind.Statement]);
        await ReplyAsync(() => broca.PostJsonAsync("outbox", new { session_id = "session_usual_reply", response = "named", message_id = asked.GetProperty("message_id").GetInt64() }),
            [WriteKind.Statement]);
        await ReplyAsync(() => broca.PostJsonAsync("outbox", new { session_id = "session_usual_reply", response = "not its message", message_id = other.GetProperty("message_id").GetInt64() }),
            [WriteKind.Statement, WriteKind.Transaction], refused: true);
        await ReplyAsync(() => broca.PostReplyAsync("session_usual_nobody", "no such session"), [WriteKind.Statement, WriteKind.Transaction], refused: true);

        Assert.Equal(asked.GetProperty("message_id").GetInt64(), linked.GetProperty("message_id").GetInt64());
        Assert.Equal(2L, app.Scalar("SELECT COUNT(*) FROM web_chat_responses"));
        Assert.NotNull(app.Scalar("SELECT answered_at FROM web_chat_messages WHERE session_id = 'session_usual_reply'"));
        Assert.Null(app.Scalar("SELECT answered_at FROM web_chat_messages WHERE session_id = 'session_usual_other'"));

        async Task<JsonElement> ReplyAsync(Func<Task<HttpResponseMessage>> send, WriteKind[] expected, bool refused = false)
        {
            writes!.TakeKindsOf(TouchesTheSession);
            using var response = await send();
            Assert.Equal(refused ? 400 : 200, (int)response.StatusCode);
            Assert.Equal(expected, writes.TakeKindsOf(TouchesTheSession));
            return refused ? await response.JsonAsync() : await response.DataAsync();
        }
    }
}
