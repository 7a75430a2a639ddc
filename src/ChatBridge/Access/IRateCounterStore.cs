namespace ChatBridge.Access;

/// <summary>
/// A fixed window aligned to the UTC clock: it starts at a whole multiple of its length, so every instance puts the
/// same moment in the same window without agreeing on anything else.
/// </summary>
internal readonly record struct RateWindow(DateTimeOffset Start, TimeSpan Length)
{
    public DateTimeOffset End => Start + Length;

    public static RateWindow At(DateTimeOffset now, TimeSpan length) =>
        new(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % length.Ticks), TimeSpan.Zero), length);
}

/// <summary>
/// Requests counted per policy and client in fixed windows, in the database every instance shares, so a client that
/// spreads its requests over several instances spends one budget.
/// </summary>
internal interface IRateCounterStore
{
    /// <summary>Takes one permit if the window has fewer than <paramref name="limit"/>; answers whether it did.</summary>
    Task<bool> TryTakeAsync(string policy, string client, RateWindow window, int limit, CancellationToken ct);

    /// <summary>Whether the window still has a permit, without taking it.</summary>
    Task<bool> HasPermitAsync(string policy, string client, RateWindow window, int limit, CancellationToken ct);
}
