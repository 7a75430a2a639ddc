using ChatBridge.Chat;
using ChatBridge.Http;
using ChatBridge.Tests.Attachments;
using ChatBridge.Tests.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// On PostgreSQL a usual message is stored by one statement that commits by itself, one round trip to the server; a
/// retry, a session bound to another token and a message with attachments are decided in a transaction.
/// </summary>
public sealed class UsualMessageTests
{
    private const string Mine = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Theirs = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private const string StoresAMessage = "INSERT INTO web_chat_messages";
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
}
