using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatBridge.Http;

/// <summary>
/// Every point in time an answer carries, in the contract's one form: UTC with milliseconds and <c>Z</c>
/// (<c>2026-11-24T10:15:30.123Z</c>), which sorts as text and Broca's <c>datetime.fromisoformat</c> reads.
/// </summary>
internal sealed class PointInTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Timestamps.TryParse(reader.GetString(), out var value) ? value : throw new JsonException("Not a point in time.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamps.Format(value));
}
