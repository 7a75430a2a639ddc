namespace ChatBridge.Attachments;

/// <summary>Reads a whole stream into memory, but never more than a limit: an upload cannot make the server buffer more
/// than the caller allows, whatever it claims or however long it goes on.</summary>
internal static class BoundedRead
{
    private const int FirstBuffer = 64 * 1024;

    /// <summary>
    /// The stream's bytes, or null as soon as it holds more than <paramref name="maxBytes"/>. At most
    /// <paramref name="maxBytes"/> + 1 bytes are read and buffered: the one extra byte is how a longer stream is told
    /// from one of exactly the limit.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream stream, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxBytes, Array.MaxLength);
        var first = (int)Math.Min(maxBytes + 1, FirstBuffer);
        if (stream.CanSeek)
        {
            var remaining = stream.Length - stream.Position;
            if (remaining > maxBytes)
            {
                return null;
            }
            // A seekable stream says how long it is: one buffer of that size, and a spare byte to notice it grew.
            first = (int)remaining + 1;
        }

        var buffer = new byte[first];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == maxBytes + 1)
                {
                    return null;
                }
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                return buffer.AsMemory(0, filled);
            }
            filled += read;
        }
    }
}
