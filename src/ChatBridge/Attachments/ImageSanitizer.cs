using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using SkiaSharp;

namespace ChatBridge.Attachments;

/// <summary>What <see cref="ImageSanitizer"/> made of an image: new bytes holding only its pixels, or a refusal.</summary>
internal abstract record SanitizedImage
{
    private SanitizedImage()
    {
    }

    /// <summary>The image re-encoded as <paramref name="Type"/>, upright, <paramref name="Width"/> × <paramref name="Height"/>.</summary>
    internal sealed record Encoded(byte[] Content, DetectedType Type, int Width, int Height, bool Animated) : SanitizedImage;

    internal sealed record Refused(RefusalReason Reason, string Detail) : SanitizedImage;
}

/// <summary>
/// Decodes an image with Skia and encodes its pixels anew, so nothing of the upload but what it looks like survives:
/// no EXIF (GPS, camera serials), no comments, no colour profile, no bytes appended after the image or hidden inside
/// its segments. The size the header declares is checked before any pixel is decoded.
/// <para>
/// Pixels are converted to sRGB while decoding and written without a profile, which browsers read as sRGB: a wide-gamut
/// photo (Display P3) loses its most saturated colours, and no profile text (which can name the device) is kept.
/// EXIF orientation is applied to the pixels, so the picture looks as it did and needs no tag. PNG stays PNG, JPEG
/// stays JPEG, WebP stays WebP (lossless if it was, else lossy); a still GIF becomes PNG and an animated GIF an
/// animated lossless WebP, unless it has more than <see cref="AttachmentOptions.MaxAnimationFrames"/> frames or they
/// add up to more than <see cref="AttachmentOptions.MaxAnimationPixels"/>, when only its first frame is kept, as PNG.
/// </para>
/// </summary>
internal sealed class ImageSanitizer(AttachmentOptions options)
{
    /// <summary>Browsers show frames of 10 ms or less (0 is common in GIFs) for 100 ms; the WebP says so outright.</summary>
    private const int FastestFrameMs = 10;

    private const int DefaultFrameMs = 100;

    /// <summary>Decodes, checks and re-encodes an image whose bytes <see cref="FileSniffer"/> recognised as <paramref name="type"/>.</summary>
    public SanitizedImage Sanitize(ReadOnlySpan<byte> content, DetectedType type)
    {
        using var data = SKData.CreateCopy(content);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat != FormatOf(type))
        {
            return new SanitizedImage.Refused(RefusalReason.Corrupt, $"not a readable {type.MediaType} image");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            return new SanitizedImage.Refused(RefusalReason.Corrupt, "the image declares no pixels");
        }
        if (width > options.MaxSide || height > options.MaxSide)
        {
            return new SanitizedImage.Refused(RefusalReason.ImageTooLarge, $"{width} × {height} has a side over {options.MaxSide}");
        }
        var pixels = (long)width * height;
        if (pixels > options.MaxPixels)
        {
            return new SanitizedImage.Refused(RefusalReason.TooManyPixels, $"{width} × {height} is over {options.MaxPixels} pixels");
        }
        if (pixels > (long)content.Length * options.MaxPixelsPerByte)
        {
            return new SanitizedImage.Refused(RefusalReason.Corrupt, $"{content.Length} bytes cannot hold {width} × {height} pixels");
        }

        var lossless = type == DetectedType.Webp ? IsLosslessWebp(content) : type != DetectedType.Jpeg;
        var frames = codec.FrameCount;
        if (frames > 1 && frames <= options.MaxAnimationFrames && pixels * frames <= options.MaxAnimationPixels)
        {
            return EncodeAnimation(codec, lossless);
        }

        if (!TryDecode(codec, frameIndex: 0, requiredFrame: -1, prior: null, out var decoded, out var failure))
        {
            return failure;
        }
        using (decoded)
        {
            using var turned = Orient(decoded, codec.EncodedOrigin);
            var upright = turned ?? decoded;
            var output = type == DetectedType.Gif ? DetectedType.Png : type;
            using var encoded = Encode(upright, output, lossless);
            return encoded is null
                ? new SanitizedImage.Refused(RefusalReason.Corrupt, $"the image could not be encoded as {output.MediaType}")
                : new SanitizedImage.Encoded(encoded.ToArray(), output, upright.Width, upright.Height, Animated: false);
        }
    }

    /// <summary>
    /// Every frame, composed as a browser would show it, into an animated WebP. The orientation tag of an animated
    /// WebP is not applied (cameras do not write animations; GIF has no such tag).
    /// </summary>
    private SanitizedImage EncodeAnimation(SKCodec codec, bool lossless)
    {
        var infos = codec.FrameInfo;
        var decoded = new SKBitmap?[infos.Length];
        try
        {
            var frames = new SKWebpEncoderFrame[infos.Length];
            for (var i = 0; i < infos.Length; i++)
            {
                // A frame that draws over an earlier one is decoded onto a copy of that one's finished pixels.
                var required = infos[i].RequiredFrame;
                var prior = required >= 0 ? decoded[required] : null;
                if (!TryDecode(codec, i, required, prior, out var frame, out var failure))
                {
                    return failure;
                }
                decoded[i] = frame;
                var duration = infos[i].Duration <= FastestFrameMs ? DefaultFrameMs : infos[i].Duration;
                frames[i] = new SKWebpEncoderFrame(frame, TimeSpan.FromMilliseconds(duration));
            }
            using var encoded = SKWebpEncoder.EncodeAnimated(frames, WebpOptions(lossless));
            return encoded is null
                ? new SanitizedImage.Refused(RefusalReason.Corrupt, "the animation could not be encoded as WebP")
                : new SanitizedImage.Encoded(encoded.ToArray(), DetectedType.Webp, codec.Info.Width, codec.Info.Height, Animated: true);
        }
        finally
        {
            foreach (var frame in decoded)
            {
                frame?.Dispose();
            }
        }
    }

    /// <summary>
    /// One frame as sRGB pixels. A truncated image is refused rather than stored half grey: it is corrupt, or it claims
    /// a size its bytes do not fill.
    /// </summary>
    private static bool TryDecode(
        SKCodec codec, int frameIndex, int requiredFrame, SKBitmap? prior,
        [NotNullWhen(true)] out SKBitmap? bitmap, [NotNullWhen(false)] out SanitizedImage.Refused? failure)
    {
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb());
        bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(info, prior is null ? SKBitmapAllocFlags.ZeroPixels : SKBitmapAllocFlags.None))
        {
            bitmap.Dispose();
            bitmap = null;
            failure = new SanitizedImage.Refused(RefusalReason.TooManyPixels, "no memory for the image's pixels");
            return false;
        }
        prior?.CopyTo(bitmap);
        var decodeOptions = new SKCodecOptions(frameIndex, prior is null ? -1 : requiredFrame)
        {
            ZeroInitialized = prior is null ? SKZeroInitialized.Yes : SKZeroInitialized.No,
        };
        var result = codec.GetPixels(info, bitmap.GetPixels(), decodeOptions);
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            bitmap = null;
            failure = new SanitizedImage.Refused(RefusalReason.Corrupt, $"decoding stopped: {result}");
            return false;
        }
        failure = null;
        return true;
    }

    /// <summary>The pixels turned as the EXIF orientation says they are meant to be seen; null when already upright.</summary>
    private static SKBitmap? Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft)
        {
            return null;
        }
        var (w, h) = (source.Width, source.Height);
        var swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        // Where a stored pixel at (x, y) is shown: x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY.
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        var turned = new SKBitmap(source.Info.WithSize(swaps ? h : w, swaps ? w : h));
        using var canvas = new SKCanvas(turned);
        canvas.SetMatrix(matrix);
        canvas.DrawBitmap(source, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), null);
        return turned;
    }

    private SKData? Encode(SKBitmap bitmap, DetectedType output, bool lossless)
    {
        // The same pixels described without a colour space, so no encoder writes a profile: untagged images are sRGB.
        using var pixmap = new SKPixmap(bitmap.Info.WithColorSpace(null), bitmap.GetPixels(), bitmap.RowBytes);
        return output == DetectedType.Jpeg ? pixmap.Encode(new SKJpegEncoderOptions(options.Quality))
            : output == DetectedType.Webp ? pixmap.Encode(WebpOptions(lossless))
            : pixmap.Encode(SKPngEncoderOptions.Default);
    }

    private SKWebpEncoderOptions WebpOptions(bool lossless) => lossless
        ? new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 75)
        : new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, options.Quality);

    private static SKEncodedImageFormat FormatOf(DetectedType type) =>
        type == DetectedType.Png ? SKEncodedImageFormat.Png
        : type == DetectedType.Jpeg ? SKEncodedImageFormat.Jpeg
        : type == DetectedType.Gif ? SKEncodedImageFormat.Gif
        : SKEncodedImageFormat.Webp;

    /// <summary>Whether a WebP holds lossless (VP8L) rather than lossy (VP8) image data: the first of either chunk decides.</summary>
    private static bool IsLosslessWebp(ReadOnlySpan<byte> content)
    {
        var at = 12;
        while (at + 8 <= content.Length)
        {
            var chunk = content.Slice(at, 4);
            if (chunk.SequenceEqual("VP8L"u8))
            {
                return true;
            }
            if (chunk.SequenceEqual("VP8 "u8))
            {
                return false;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(content[(at + 4)..]);
            if (length > int.MaxValue - 9)
            {
                return false;
            }
            at += 8 + (int)length + ((int)length & 1);
        }
        return false;
    }
}
