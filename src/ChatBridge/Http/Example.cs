using System.Globalization;

namespace ChatBridge.Http;

/// <summary>Values for OpenAPI's examples, written as the wire shows them.</summary>
internal static class Example
{
    public static DateTimeOffset At(string timestamp) =>
        DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
}
