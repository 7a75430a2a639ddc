using System.Text;
using ChatBridge.Attachments;
using SkiaSharp;

namespace ChatBridge.Tests.Attachments;

public sealed class ImageSanitizerTests
{
    private const string Payload = "<html><body><script>alert(document.cookie)</script></body></html>";

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("webp-lossy", "image/webp")]
    [InlineData("webp-lossless", "image/webp")]
    public async Task Images_are_re_encoded_in_their_own_format(string kind, string mediaType)
    {
        var content = kind switch
        {
            "png" => TestFiles.Png(),
            "jpeg" => TestFiles.Jpeg(),
            "webp-lossy" => TestFiles.Webp(lossless: false),
            _ => TestFiles.Webp(lossless: true),
        };

        var accepted = await Inspect.Accepted(content, "picture");

        Assert.Equal(mediaType, accepted.Type.MediaType);
        Assert.Equal(new ImageSize(32, 16), accepted.Size);
        Assert.Equal(mediaType, FileSniffer.Detect(accepted.Content.Span)?.MediaType);
        AssertLooksLikeTwoHalves(accepted.Content.ToArray(), redOnLeft: true);
    }

    [Fact]
    public async Task A_lossless_WebP_stays_lossless_and_a_lossy_one_lossy()
    {
        var lossless = await Inspect.Accepted(TestFiles.Webp(lossless: true));
        var lossy = await Inspect.Accepted(TestFiles.Webp(lossless: false));

        Assert.True(TestFiles.Contains(lossless.Content.ToArray(), "VP8L"));
        Assert.True(TestFiles.Contains(lossy.Content.ToArray(), "VP8 "));
    }

    [Fact]
    public async Task A_PNG_named_pdf_is_a_PNG_and_named_so()
    {
        var accepted = await Inspect.Accepted(TestFiles.Png(), "scan.pdf");

        Assert.Equal(DetectedType.Png, accepted.Type);
        Assert.Equal("scan.png", accepted.Name.DisplayName);
    }

    [Fact]
    public async Task HTML_appended_to_a_JPEG_does_not_survive()
    {
        byte[] polyglot = [.. TestFiles.Jpeg(), .. Encoding.ASCII.GetBytes(Payload)];

        var accepted = await Inspect.Accepted(polyglot, "cat.jpg");

        Assert.Equal(DetectedType.Jpeg, accepted.Type);
        Assert.False(TestFiles.Contains(accepted.Content.ToArray(), "<script"));
    }

    [Fact]
    public async Task HTML_in_a_JPEG_comment_segment_does_not_survive()
    {
        var polyglot = TestFiles.WithSegment(TestFiles.Jpeg(), 0xFE, Encoding.ASCII.GetBytes(Payload));
        Assert.Contains((byte)0xFE, TestFiles.JpegMarkers(polyglot));

        var accepted = await Inspect.Accepted(polyglot);

        Assert.False(TestFiles.Contains(accepted.Content.ToArray(), "<script"));
        Assert.DoesNotContain((byte)0xFE, TestFiles.JpegMarkers(accepted.Content.ToArray()));
    }

    [Fact]
    public async Task HTML_in_a_PNG_text_chunk_does_not_survive()
    {
        var polyglot = TestFiles.WithTextChunk(TestFiles.Png(), "Comment", Payload);

        var accepted = await Inspect.Accepted(polyglot);

        Assert.False(TestFiles.Contains(accepted.Content.ToArray(), "<script"));
        Assert.False(TestFiles.Contains(accepted.Content.ToArray(), "tEXt"));
    }

    [Fact]
    public async Task HTML_appended_to_a_GIF_does_not_survive()
    {
        byte[] polyglot = [.. TestFiles.Gif(2, 1, [0, 1]), .. Encoding.ASCII.GetBytes(Payload)];

        var accepted = await Inspect.Accepted(polyglot);

        Assert.False(TestFiles.Contains(accepted.Content.ToArray(), "<script"));
    }

    [Fact]
    public async Task EXIF_with_GPS_and_a_serial_number_is_gone_after_sanitizing()
    {
        var jpeg = TestFiles.WithSegment(TestFiles.Jpeg(), 0xE1, TestFiles.Exif(orientation: 1));
        Assert.True(TestFiles.Contains(jpeg, TestFiles.CameraSerial));
        Assert.True(TestFiles.Contains(jpeg, TestFiles.CameraMake));
        using (var codec = SKCodec.Create(new SKMemoryStream(jpeg)))
        {
            Assert.NotNull(codec);
        }

        var accepted = await Inspect.Accepted(jpeg, "IMG_0001.JPG");
        var output = accepted.Content.ToArray();

        Assert.False(TestFiles.Contains(output, "Exif"));
        Assert.False(TestFiles.Contains(output, TestFiles.CameraSerial));
        Assert.False(TestFiles.Contains(output, TestFiles.CameraMake));
        Assert.DoesNotContain((byte)0xE1, TestFiles.JpegMarkers(output));
        Assert.Equal("IMG_0001.jpg", accepted.Name.DisplayName);
    }

    [Fact]
    public async Task The_colour_profile_is_dropped_and_the_pixels_kept_in_sRGB()
    {
        var jpeg = TestFiles.Jpeg(colorSpace: SKColorSpace.CreateSrgb());
        Assert.Contains((byte)0xE2, TestFiles.JpegMarkers(jpeg));

        var accepted = await Inspect.Accepted(jpeg);
        var output = accepted.Content.ToArray();

        Assert.DoesNotContain((byte)0xE2, TestFiles.JpegMarkers(output));
        Assert.False(TestFiles.Contains(output, "ICC_PROFILE"));
        AssertLooksLikeTwoHalves(output, redOnLeft: true);
    }

    [Theory]
    [InlineData(1, "top left", "top right")]
    [InlineData(2, "top right", "top left")]
    [InlineData(3, "bottom right", "bottom left")]
    [InlineData(4, "bottom left", "bottom right")]
    [InlineData(5, "top left", "bottom left")]
    [InlineData(6, "top right", "bottom right")]
    [InlineData(7, "bottom right", "top right")]
    [InlineData(8, "bottom left", "top left")]
    public async Task The_EXIF_orientation_is_applied_to_the_pixels(int orientation, string red, string blue)
    {
        var jpeg = TestFiles.WithSegment(TestFiles.QuartersJpeg(), 0xE1, TestFiles.Exif(orientation));
        using (var codec = SKCodec.Create(new SKMemoryStream(jpeg)))
        {
            Assert.Equal((SKEncodedOrigin)orientation, codec.EncodedOrigin);
        }

        var accepted = await Inspect.Accepted(jpeg);

        var (width, height) = orientation <= 4 ? (32, 16) : (16, 32);
        Assert.Equal(new ImageSize(width, height), accepted.Size);
        using var bitmap = SKBitmap.Decode(accepted.Content.ToArray());
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        AssertColour(TestFiles.Red, Corner(bitmap, red));
        AssertColour(TestFiles.Blue, Corner(bitmap, blue));
        using var reread = SKCodec.Create(new SKMemoryStream(accepted.Content.ToArray()));
        Assert.Equal(SKEncodedOrigin.TopLeft, reread.EncodedOrigin);
    }

    private static SKColor Corner(SKBitmap bitmap, string corner)
    {
        var x = corner.EndsWith("left", StringComparison.Ordinal) ? bitmap.Width / 4 : bitmap.Width * 3 / 4;
        var y = corner.StartsWith("top", StringComparison.Ordinal) ? bitmap.Height / 4 : bitmap.Height * 3 / 4;
        return bitmap.GetPixel(x, y);
    }

    [Fact]
    public async Task A_still_GIF_becomes_a_PNG()
    {
        var gif = TestFiles.Gif(4, 2, [0, 0, 1, 1, 0, 0, 1, 1]);

        var accepted = await Inspect.Accepted(gif, "wave.gif");

        Assert.Equal(DetectedType.Png, accepted.Type);
        Assert.Equal("wave.png", accepted.Name.DisplayName);
        Assert.Equal(new ImageSize(4, 2), accepted.Size);
        using var bitmap = SKBitmap.Decode(accepted.Content.ToArray());
        AssertColour(TestFiles.Red, bitmap.GetPixel(0, 1));
        AssertColour(TestFiles.Blue, bitmap.GetPixel(3, 0));
    }

    [Fact]
    public async Task An_animated_GIF_becomes_an_animated_WebP_with_every_frame()
    {
        var gif = TestFiles.Gif(2, 2, [0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]);

        var accepted = await Inspect.Accepted(gif, "party.gif");

        Assert.Equal(DetectedType.Webp, accepted.Type);
        Assert.Equal("party.webp", accepted.Name.DisplayName);
        using var codec = SKCodec.Create(new SKMemoryStream(accepted.Content.ToArray()));
        Assert.Equal(3, codec.FrameCount);
        var expected = new[] { TestFiles.Red, TestFiles.Blue, TestFiles.Green };
        for (var i = 0; i < 3; i++)
        {
            using var frame = new SKBitmap(new SKImageInfo(2, 2, SKColorType.Rgba8888, SKAlphaType.Premul));
            var options = new SKCodecOptions(i, codec.FrameInfo[i].RequiredFrame);
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(frame.Info, frame.GetPixels(), options));
            AssertColour(expected[i], frame.GetPixel(1, 1));
        }
    }

    [Theory]
    [InlineData(7, 1_000)]
    [InlineData(40_000_000, 1)]
    public async Task An_animation_over_the_budget_keeps_only_its_first_frame(long maxPixels, int maxFrames)
    {
        var gif = TestFiles.Gif(2, 2, [1, 1, 1, 1], [0, 0, 0, 0]);
        var options = new AttachmentOptions { MaxAnimationPixels = maxPixels, MaxAnimationFrames = maxFrames };

        var accepted = await Inspect.Accepted(gif, options: options);

        Assert.Equal(DetectedType.Png, accepted.Type);
        using var bitmap = SKBitmap.Decode(accepted.Content.ToArray());
        AssertColour(TestFiles.Blue, bitmap.GetPixel(0, 0));
    }

    [Fact]
    public async Task An_animated_WebP_stays_animated()
    {
        var webp = TestFiles.AnimatedWebp(SKColors.Red, SKColors.Lime);

        var accepted = await Inspect.Accepted(webp);

        using var codec = SKCodec.Create(new SKMemoryStream(accepted.Content.ToArray()));
        Assert.Equal(DetectedType.Webp, accepted.Type);
        Assert.Equal(2, codec.FrameCount);
    }

    [Fact]
    public async Task An_image_claiming_20000_by_20000_pixels_is_refused_from_its_header()
    {
        var png = TestFiles.WithDeclaredSize(TestFiles.Png(), 20_000, 20_000);

        Assert.Equal(RefusalReason.ImageTooLarge, await Inspect.Refusal(png));
    }

    [Fact]
    public async Task An_image_over_the_pixel_cap_with_sides_under_the_side_cap_is_refused()
    {
        var png = TestFiles.WithDeclaredSize(TestFiles.SolidPng(1000, 1000), 8_000, 6_000);

        Assert.Equal(RefusalReason.TooManyPixels, await Inspect.Refusal(png));
    }

    [Fact]
    public async Task A_tiny_file_claiming_millions_of_pixels_is_refused_before_decoding()
    {
        var png = TestFiles.WithDeclaredSize(TestFiles.Png(), 6_000, 6_000);
        Assert.True(png.Length < 1_000);

        var refused = Assert.IsType<InspectedFile.Refused>(await Inspect.Run(png));

        Assert.Equal(RefusalReason.Corrupt, refused.Reason);
        Assert.Contains("cannot hold", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_image_of_one_colour_within_the_caps_is_accepted()
    {
        var accepted = await Inspect.Accepted(TestFiles.SolidPng(2_000, 2_000));

        Assert.Equal(new ImageSize(2_000, 2_000), accepted.Size);
    }

    [Fact]
    public async Task A_truncated_image_is_refused_as_corrupt()
    {
        var png = TestFiles.Png(64, 64);

        Assert.Equal(RefusalReason.Corrupt, await Inspect.Refusal(png[..(png.Length / 2)]));
    }

    [Theory]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'<', (byte)'h', (byte)'t', (byte)'m', (byte)'l', (byte)'>' })]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', (byte)'<', (byte)'s', (byte)'v', (byte)'g', (byte)'>' })]
    public async Task A_signature_followed_by_something_else_is_refused_as_corrupt(byte[] content)
    {
        Assert.Equal(RefusalReason.Corrupt, await Inspect.Refusal(content));
    }

    private static void AssertLooksLikeTwoHalves(byte[] image, bool redOnLeft)
    {
        using var bitmap = SKBitmap.Decode(image);
        Assert.NotNull(bitmap);
        AssertColour(redOnLeft ? TestFiles.Red : TestFiles.Blue, bitmap.GetPixel(4, bitmap.Height / 2));
        AssertColour(redOnLeft ? TestFiles.Blue : TestFiles.Red, bitmap.GetPixel(bitmap.Width - 4, bitmap.Height / 2));
    }

    /// <summary>Near enough for lossy codecs: each channel within 24 of the expected.</summary>
    private static void AssertColour(SKColor expected, SKColor actual)
    {
        Assert.True(
            Math.Abs(expected.Red - actual.Red) <= 24 && Math.Abs(expected.Green - actual.Green) <= 24 && Math.Abs(expected.Blue - actual.Blue) <= 24,
            $"expected about {expected}, got {actual}");
    }
}
