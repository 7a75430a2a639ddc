using System.Buffers;

namespace ChatBridge.Attachments;

/// <summary>Reads a whole stream into memory, but never more than a limit: an upload cannot make the server buffer more
/// than the caller allows, whatever it claims or however long it goes on.</summary>
internal static class BoundedRead
{
    /// <summary>
    /// The size of the pooled pieces a stream is read into. Memory grows with what has arrived, never with what a
    /// client announced, so a slow client cannot make the server hold a file's worth of memory for a few bytes.
    /// </summary>
    private const int PieceBytes = 256 * 1024;

    /// <summary>
    /// The stream's bytes in an array of exactly their length, or null as soon as it holds more than
    /// <paramref name="maxBytes"/>. At most <paramref name="maxBytes"/> + 1 bytes are read: the one extra byte is how a
    /// longer stream is told from one of exactly the limit. Besides the result, only pooled pieces are used, so a
    /// large upload allocates its own size once rather than twice over while a buffer doubles.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream stream, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxBytes, Array.MaxLength);
        if (stream.CanSeek && stream.Length - stream.Position > maxBytes)
        {
            // A stream that says how long it is is refused without a byte read.
            return null;
        }
        List<byte[]> pieces = [];
        try
        {
            long total = 0;
            var filled = PieceBytes;
            while (true)
            {
                if (filled == PieceBytes)
                {
                    pieces.Add(ArrayPool<byte>.Shared.Rent(PieceBytes));
                    filled = 0;
                }
                var room = (int)Math.Min(PieceBytes - filled, maxBytes + 1 - total);
                var read = await stream.ReadAsync(pieces[^1].AsMemory(filled, room), ct);
                if (read == 0)
                {
                    return Join(pieces, (int)total);
                }
                filled += read;
                total += read;
                if (total > maxBytes)
                {
                    return null;
                }
            }
        }
        finally
        {
            foreach (var piece in pieces)
            {
                ArrayPool<byte>.Shared.Return(piece);
            }
        }
    }

    private static byte[] Join(List<byte[]> pieces, int length)
    {
        var whole = new byte[length];
        for (var (at, i) = (0, 0); at < length; at += PieceBytes, i++)
        {
            pieces[i].AsSpan(0, Math.Min(PieceBytes, length - at)).CopyTo(whole.AsSpan(at));
        }
        return whole;
    }
}
