namespace ChatBridge.Data;

/// <summary>
/// A time for a column of the control app's own tables (its ORM's <c>DateTime</c>: UTC, without a zone). Each engine
/// stores it as the control app does, so the control app reads the rows the bridge writes: SQLite as
/// <c>YYYY-MM-DD HH:MM:SS.ffffff</c>, PostgreSQL as <c>timestamp</c>. Read back, it is a <see cref="DateTimeOffset"/>.
/// </summary>
internal readonly record struct ControlAppTime(DateTimeOffset Instant)
{
    public DateTime UtcWithoutZone => DateTime.SpecifyKind(Instant.UtcDateTime, DateTimeKind.Unspecified);

    public string Text => Instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
}
