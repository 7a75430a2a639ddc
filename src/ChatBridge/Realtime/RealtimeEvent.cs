using System.Text.Json;
using System.Text.Json.Serialization;
using ChatBridge.Events;
using ChatBridge.Http;

namespace ChatBridge.Realtime;

/// <summary>
/// One event pushed to a session's listeners, serialized once when published so that each WebSocket only
/// copies bytes: <c>{"type":"response"|"status"|"typing","data":{…}}</c>.
/// </summary>
internal sealed record RealtimeEvent(string Type, ReadOnlyMemory<byte> Json)
{
    private const string ResponseType = "response";

    /// <summary>Wakes inbox long polls, which then claim from the database; never sent to a browser, so it carries no JSON.</summary>
    public static readonly RealtimeEvent MessageStored = new("message", ReadOnlyMemory<byte>.Empty);

    /// <summary>Wakes the admin console's long polls, which then read <see cref="AdminFeed"/>; carries no JSON either.</summary>
    public static readonly RealtimeEvent AdminChanged = new("admin", ReadOnlyMemory<byte>.Empty);

    /// <summary>The response's id for a <c>response</c> event, so a socket can drop one it already replayed.</summary>
    public long? ResponseId { get; init; }

    public static RealtimeEvent Response(ResponseItem response) =>
        Create(ResponseType, response) with { ResponseId = response.Id };

    /// <param name="deliveryCount">
    /// How often inbox has handed the message out: with it a client orders states that repeat when a lease lapses
    /// (pending, delivered, pending again, delivered again); unknown for <c>answered</c>, which ends them all.
    /// </param>
    public static RealtimeEvent Status(long messageId, string status, int? deliveryCount = null) =>
        Create("status", new StatusData(messageId, status, deliveryCount));

    public static RealtimeEvent Typing(string state) => Create("typing", new TypingData(state));

    private static RealtimeEvent Create<T>(string type, T data) =>
        new(type, JsonSerializer.SerializeToUtf8Bytes(new Wire<T>(type, data), Envelope.Json));

    private sealed record Wire<T>(string Type, T Data);

    private sealed record StatusData(
        long MessageId,
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DeliveryCount);

    private sealed record TypingData(string State);
}
