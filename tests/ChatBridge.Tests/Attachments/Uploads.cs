using System.Net.Http.Headers;
using System.Text.Json;

namespace ChatBridge.Tests.Attachments;

/// <summary>Uploads as the chat page makes them, and the messages that carry them.</summary>
public static class Uploads
{
    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, string sessionId, byte[] content, string fileName, string declaredType = "application/octet-stream")
    {
        var form = new MultipartFormDataContent { { new StringContent(sessionId), "session_id" } };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(declaredType);
        form.Add(file, "file", fileName);
        return client.PostAsync("/api/v1/?action=upload", form);
    }

    /// <summary>Uploads and returns the answer's <c>data</c>, asserting success.</summary>
    public static async Task<JsonElement> UploadedAsync(this HttpClient client, string sessionId, byte[] content, string fileName) =>
        await (await client.UploadAsync(sessionId, content, fileName)).DataAsync();

    public static Task<HttpResponseMessage> PostWithAttachmentsAsync(this HttpClient client, string sessionId, string? message, params string[] attachments) =>
        client.PostJsonAsync("messages", message is null
            ? new { session_id = sessionId, attachments }
            : (object)new { session_id = sessionId, message, attachments });

    public static string Id(this JsonElement uploaded) => uploaded.GetProperty("attachment_id").GetString()!;

    /// <summary>The path of an upload's link on the bridge, for the test's own client.</summary>
    public static string PathOf(this JsonElement uploaded) => new Uri(uploaded.GetProperty("url").GetString()!).PathAndQuery;
}
