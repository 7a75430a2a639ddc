namespace ChatBridge.Settings;

/// <summary>Named rows of the control app's <c>system_config</c> table: keys, limits, timeouts.</summary>
internal interface IConfigStore
{
    Task<IReadOnlyDictionary<string, string?>> ReadAsync(IEnumerable<string> keys, CancellationToken ct);

    /// <summary>Writes all <paramref name="values"/> atomically and durably; other rows are untouched.</summary>
    Task WriteAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct);
}
