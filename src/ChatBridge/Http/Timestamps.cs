using System.Globalization;

namespace ChatBridge.Http;

/// <summary>
/// The one timestamp form the bridge writes: UTC ISO-8601 with milliseconds and <c>Z</c>, so stored
/// values sort as text and Broca's <c>datetime.fromisoformat</c> reads them.
/// </summary>
internal static class Timestamps
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Now, to the millisecond: what every engine stores and every answer shows, so both engines compare alike.</summary>
    public static DateTimeOffset Now(TimeProvider time) => Truncate(time.GetUtcNow());

    /// <summary>The instant to the millisecond, in UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    /// <summary>Any ISO-8601 form or <c>YYYY-MM-DD HH:MM:SS</c>; a value without a zone is UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out value);
}
