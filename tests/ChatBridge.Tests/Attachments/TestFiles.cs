using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace ChatBridge.Tests.Attachments;

/// <summary>Real files of each kind, made in code: Skia encodes PNG, JPEG and WebP; GIF, EXIF, ZIP and PDF are put
/// together byte by byte.</summary>
internal static class TestFiles
{
    public static readonly SKColor Red = new(220, 20, 20);
    public static readonly SKColor Blue = new(20, 20, 220);

    /// <summary>An image whose left half is red and right half blue, so a turn or a mirror shows.</summary>
    public static SKBitmap TwoHalves(int width, int height, SKColorSpace? colorSpace = null)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul, colorSpace));
        using var canvas = new SKCanvas(bitmap);
        using var red = new SKPaint { Color = Red };
        using var blue = new SKPaint { Color = Blue };
        canvas.DrawRect(0, 0, width / 2f, height, red);
        canvas.DrawRect(width / 2f, 0, width / 2f, height, blue);
        return bitmap;
    }

    public static readonly SKColor Green = new(20, 200, 20);
    public static readonly SKColor White = new(255, 255, 255);

    /// <summary>A JPEG whose quarters are red (top left), blue (top right), green (bottom left) and white: every turn
    /// and mirror puts red and blue in a different pair of corners.</summary>
    public static byte[] QuartersJpeg(int width = 32, int height = 16)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(White);
        using var canvas = new SKCanvas(bitmap);
        var (w, h) = (width / 2f, height / 2f);
        foreach (var (color, x, y) in new[] { (Red, 0f, 0f), (Blue, w, 0f), (Green, 0f, h) })
        {
            using var paint = new SKPaint { Color = color };
            canvas.DrawRect(x, y, w, h, paint);
        }
        return bitmap.PeekPixels().Encode(new SKJpegEncoderOptions(95))!.ToArray();
    }

    public static byte[] Png(int width = 32, int height = 16)
    {
        using var bitmap = TwoHalves(width, height);
        return bitmap.PeekPixels().Encode(SKPngEncoderOptions.Default)!.ToArray();
    }

    /// <summary>A JPEG as Skia writes it; with a colour space it carries an ICC profile in an APP2 segment.</summary>
    public static byte[] Jpeg(int width = 32, int height = 16, SKColorSpace? colorSpace = null)
    {
        using var bitmap = TwoHalves(width, height, colorSpace);
        return bitmap.PeekPixels().Encode(new SKJpegEncoderOptions(95))!.ToArray();
    }

    public static byte[] Webp(bool lossless, int width = 32, int height = 16)
    {
        using var bitmap = TwoHalves(width, height);
        var compression = lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy;
        return bitmap.PeekPixels().Encode(new SKWebpEncoderOptions(compression, 90))!.ToArray();
    }

    public static byte[] AnimatedWebp(params SKColor[] colors)
    {
        var bitmaps = colors.Select(color => Solid(16, 16, color)).ToList();
        try
        {
            var frames = bitmaps.Select(b => new SKWebpEncoderFrame(b, TimeSpan.FromMilliseconds(100))).ToArray();
            return SKWebpEncoder.EncodeAnimated(frames, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 75))!.ToArray();
        }
        finally
        {
            bitmaps.ForEach(b => b.Dispose());
        }
    }

    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(color);
        return bitmap;
    }

    public static byte[] SolidPng(int width, int height)
    {
        using var bitmap = Solid(width, height, SKColors.White);
        return bitmap.PeekPixels().Encode(SKPngEncoderOptions.Default)!.ToArray();
    }

    /// <summary>
    /// A GIF of 4-colour frames (palette: red, blue, green, white), each a row-major array of palette indices. The LZW
    /// stream sends a clear code after every two pixels, so every code stays 3 bits wide: large, but simple and valid.
    /// </summary>
    public static byte[] Gif(int width, int height, params byte[][] frames)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(U16(width));
        gif.AddRange(U16(height));
        gif.AddRange([0x91, 0, 0]); // global colour table of 4 entries, 2 bits per primary
        gif.AddRange([220, 20, 20, 20, 20, 220, 20, 200, 20, 255, 255, 255]);
        if (frames.Length > 1)
        {
            gif.AddRange([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8.ToArray(), 3, 1, 0, 0, 0]);
        }
        foreach (var frame in frames)
        {
            gif.AddRange([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // keep the frame, show it 100 ms
            gif.AddRange([0x2C, 0, 0, 0, 0, .. U16(width), .. U16(height), 0]);
            gif.Add(2); // LZW minimum code size: clear is 4, end is 5
            var data = Lzw(frame);
            for (var at = 0; at < data.Length; at += 255)
            {
                var block = data.AsSpan(at, Math.Min(255, data.Length - at));
                gif.Add((byte)block.Length);
                gif.AddRange(block.ToArray());
            }
            gif.Add(0);
        }
        gif.Add(0x3B);
        return [.. gif];
    }

    private static byte[] Lzw(byte[] indices)
    {
        var bits = new List<bool>();
        void Code(int code)
        {
            for (var bit = 0; bit < 3; bit++)
            {
                bits.Add((code >> bit & 1) == 1);
            }
        }
        for (var i = 0; i < indices.Length; i++)
        {
            if (i % 2 == 0)
            {
                Code(4);
            }
            Code(indices[i]);
        }
        Code(5);
        var bytes = new byte[(bits.Count + 7) / 8];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                bytes[i / 8] |= (byte)(1 << (i % 8));
            }
        }
        return bytes;
    }

    private static byte[] U16(int value) => [(byte)value, (byte)(value >> 8)];

    /// <summary>The PNG with its IHDR claiming another size, its checksum made right again so only the size is a lie.</summary>
    public static byte[] WithDeclaredSize(byte[] png, int width, int height)
    {
        var patched = png.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(29), Crc32(patched.AsSpan(12, 17)));
        return patched;
    }

    /// <summary>The PNG with a tEXt chunk right after IHDR.</summary>
    public static byte[] WithTextChunk(byte[] png, string keyword, string text)
    {
        var data = Encoding.Latin1.GetBytes(keyword + "\0" + text);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        "tEXt"u8.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return [.. png.AsSpan(0, 33), .. chunk, .. png.AsSpan(33)];
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    /// <summary>The JPEG with a segment inserted right after its start-of-image marker.</summary>
    public static byte[] WithSegment(byte[] jpeg, byte marker, ReadOnlySpan<byte> payload)
    {
        var length = payload.Length + 2;
        return [0xFF, 0xD8, 0xFF, marker, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2)];
    }

    public const string CameraSerial = "SN-4242-XYZ";
    public const string CameraMake = "SecretCam";

    /// <summary>
    /// An APP1 Exif payload as a camera writes one: IFD0 with the make, the orientation and pointers to an Exif IFD
    /// (the body's serial number) and a GPS IFD (48°51'24"N 2°17'40"E), little-endian TIFF.
    /// </summary>
    public static byte[] Exif(int orientation)
    {
        var tiff = new byte[512];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan()[4..], 8);

        const int ifd0 = 8, exifIfd = 70, gpsIfd = 100, data = 160;
        var next = data;
        int Put(ReadOnlySpan<byte> bytes)
        {
            var at = next;
            bytes.CopyTo(tiff.AsSpan()[at..]);
            next += bytes.Length + (bytes.Length & 1);
            return at;
        }
        void Entry(int ifd, int index, ushort tag, ushort type, int count, int valueOrOffset)
        {
            var at = ifd + 2 + index * 12;
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[at..], tag);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[(at + 2)..], type);
            BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan()[(at + 4)..], count);
            BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan()[(at + 8)..], valueOrOffset);
        }
        byte[] Rationals(params int[] parts) => [.. parts.SelectMany(p => BitConverter.GetBytes(p))];
        const ushort ascii = 2, shortType = 3, longType = 4, rational = 5;

        var make = Encoding.ASCII.GetBytes(CameraMake + "\0");
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[ifd0..], 4);
        Entry(ifd0, 0, 0x010F, ascii, make.Length, Put(make));
        Entry(ifd0, 1, 0x0112, shortType, 1, orientation);
        Entry(ifd0, 2, 0x8769, longType, 1, exifIfd);
        Entry(ifd0, 3, 0x8825, longType, 1, gpsIfd);

        var serial = Encoding.ASCII.GetBytes(CameraSerial + "\0");
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[exifIfd..], 1);
        Entry(exifIfd, 0, 0xA431, ascii, serial.Length, Put(serial));

        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan()[gpsIfd..], 4);
        Entry(gpsIfd, 0, 0x0001, ascii, 2, 'N');
        Entry(gpsIfd, 1, 0x0002, rational, 3, Put(Rationals(48, 1, 51, 1, 2400, 100)));
        Entry(gpsIfd, 2, 0x0003, ascii, 2, 'E');
        Entry(gpsIfd, 3, 0x0004, rational, 3, Put(Rationals(2, 1, 17, 1, 4000, 100)));

        return [.. "Exif\0\0"u8, .. tiff.AsSpan()[..next]];
    }

    /// <summary>The markers of a JPEG's segments up to the start of its scan (APP1 is 0xE1, APP2 0xE2, COM 0xFE).</summary>
    public static List<byte> JpegMarkers(byte[] jpeg)
    {
        var markers = new List<byte>();
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF)
        {
            var marker = jpeg[at + 1];
            markers.Add(marker);
            if (marker == 0xDA)
            {
                break;
            }
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
        }
        return markers;
    }

    public static byte[] Pdf() => Encoding.Latin1.GetBytes(
        "%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
        "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
        "trailer\n<< /Root 1 0 R >>\n%%EOF\n");

    /// <summary>A ZIP archive with one entry of <paramref name="size"/> zero bytes: a large size makes a small bomb.</summary>
    public static byte[] Zip(int size)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("zeros.bin", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[64 * 1024];
            for (var written = 0; written < size; written += zeros.Length)
            {
                entry.Write(zeros, 0, Math.Min(zeros.Length, size - written));
            }
        }
        return buffer.ToArray();
    }

    public static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
