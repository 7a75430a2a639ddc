using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using SkiaSharp;

namespace ChatBridge.Bench;

/// <summary>
/// What <c>upload</c> costs: the host's memory for one 10 MiB file (VmHWM and VmRSS of a fresh host before and after),
/// then uploads per second and MiB per second of 1 MiB and 10 MiB files, one at a time and several at once. The files
/// are plain text, so those figures are the bridge's own path (form parsing, type check, storage). Then the same for
/// photos, which are decoded and re-encoded: one at the pixel cap for memory, then 12-megapixel ones for throughput.
/// </summary>
internal static class UploadBenchmark
{
    public const string Mode = "uploads";

    private const int MiB = 1024 * 1024;
    private const int Concurrency = 4;

    public static async Task<int> RunAsync(string hostDll, string[] args)
    {
        bool? inFolder = args switch { [] => false, ["--folder"] => true, _ => null };
        if (inFolder is null)
        {
            Console.Error.WriteLine($"Usage: dotnet run -c Release --project bench/ChatBridge.Bench -- {Mode} [--folder]");
            return 2;
        }
        // No hourly budget: the benchmark is one client address uploading far more than a person would.
        List<string> hostArgs = ["--ChatBridge:Attachments:HourlyBytesPerClient=0", $"--ChatBridge:Attachments:MaxFileBytes={11 * MiB}"];
        // An absolute path: a relative one is resolved against the host's content root, the repository.
        var files = Directory.CreateTempSubdirectory("chatbridge-bench-files-").FullName;
        try
        {
            return await MeasureAsync(hostDll, inFolder.Value ? [.. hostArgs, $"--ChatBridge:Attachments:Folder={files}"] : hostArgs, inFolder.Value);
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    private static async Task<int> MeasureAsync(string hostDll, List<string> hostArgs, bool inFolder)
    {
        await using var host = await HostProcess.StartAsync(hostDll, hostArgs, maxSocketsPerClient: 100);
        using var http = ClientOf(host);
        Console.WriteLine($"Uploads of text files to a fresh host, attachments kept in {(inFolder ? "a folder" : "the SQLite database")}; {Environment.ProcessorCount} cores shared with this client.");
        await FirstUploadAsync(host, http, "10 MiB text file", Text(10 * MiB), "text/plain", "notes.txt");

        foreach (var (size, count) in new[] { (1, 200), (10, 30) })
        {
            await PrintRatesAsync(http, $"{size,2} MiB text", count, Text(size * MiB), "text/plain", "notes.txt");
        }
        PrintMemory(host, "After all text uploads");
        await MeasurePhotosAsync(hostDll, hostArgs);
        return 0;
    }

    /// <summary>
    /// On a fresh host of its own, so the text uploads' peak does not hide the photo's: one JPEG of exactly the
    /// default pixel cap (40 megapixels), then 12-megapixel JPEGs one and several at a time.
    /// </summary>
    private static async Task MeasurePhotosAsync(string hostDll, List<string> hostArgs)
    {
        await using var host = await HostProcess.StartAsync(hostDll, hostArgs, maxSocketsPerClient: 100);
        using var http = ClientOf(host);
        var largest = Photo(8000, 5000);
        await FirstUploadAsync(host, http, string.Create(CultureInfo.InvariantCulture, $"8000 x 5000 JPEG of {largest.Length / (double)MiB:F1} MiB"),
            largest, "image/jpeg", "largest.jpg");

        var photo = Photo(4000, 3000);
        await PrintRatesAsync(http, string.Create(CultureInfo.InvariantCulture, $"4000 x 3000 JPEG of {photo.Length / (double)MiB:F1} MiB"),
            count: 20, photo, "image/jpeg", "photo.jpg");
        PrintMemory(host, "After all photo uploads");
    }

    private static HttpClient ClientOf(HostProcess host) => new() { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>One upload to a host that has served <c>/health</c> only: the memory it adds is all the upload's own (and the JIT's for that path).</summary>
    private static async Task FirstUploadAsync(HostProcess host, HttpClient http, string what, byte[] content, string type, string name)
    {
        var before = host.Memory();
        var took = await UploadAsync(http, "session_bench_memory", content, type, name);
        var after = host.Memory();
        Console.WriteLine($"One {what} ({took.TotalMilliseconds:F0} ms): VmHWM {before.PeakMb:F0} -> {after.PeakMb:F0} MiB, VmRSS {before.CurrentMb:F0} -> {after.CurrentMb:F0} MiB");
    }

    private static void PrintMemory(HostProcess host, string when)
    {
        var (peak, current) = host.Memory();
        Console.WriteLine($"{when}: VmHWM {peak:F0} MiB, VmRSS {current:F0} MiB");
    }

    /// <summary>A photo-like JPEG: smooth colour with fine noise, so it neither compresses to nothing nor to noise's size.</summary>
    private static byte[] Photo(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        var random = new Random(7);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                var noise = random.Next(12);
                pixels[i] = (byte)((x * 200 / width) + noise);
                pixels[i + 1] = (byte)((y * 200 / height) + noise);
                pixels[i + 2] = (byte)(((x + y) * 100 / (width + height)) + 60 + noise);
                pixels[i + 3] = 255;
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>
    /// <paramref name="count"/> uploads of <paramref name="content"/> one at a time, then as many again
    /// <see cref="Concurrency"/> at a time, each to a session of its own; prints uploads and MiB per second of each.
    /// </summary>
    private static async Task PrintRatesAsync(HttpClient http, string what, int count, byte[] content, string type, string name)
    {
        foreach (var parallel in new[] { 1, Concurrency })
        {
            var next = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                for (var n = Interlocked.Increment(ref next); n <= count; n = Interlocked.Increment(ref next))
                {
                    await UploadAsync(http, $"session_bench_{Guid.NewGuid():N}", content, type, name);
                }
            }));
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what} x {count}, {parallel} at a time: {count / seconds,6:F1} uploads/s, {count * (content.Length / (double)MiB) / seconds,6:F1} MiB/s"));
        }
    }

    /// <summary>Lines of ASCII text, valid as the text rules want it, <paramref name="bytes"/> long.</summary>
    private static byte[] Text(int bytes)
    {
        var line = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog, 0123456789.\n");
        var content = new byte[bytes];
        for (var i = 0; i < bytes; i += line.Length)
        {
            line.AsSpan(0, Math.Min(line.Length, bytes - i)).CopyTo(content.AsSpan(i));
        }
        return content;
    }

    private static async Task<TimeSpan> UploadAsync(HttpClient http, string sessionId, byte[] content, string type, string name)
    {
        using var form = new MultipartFormDataContent { { new StringContent(sessionId), "session_id" } };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "file", name);
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync(new Uri("api/v1/?action=upload", UriKind.Relative), form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"upload answered {(int)response.StatusCode}: {body}");
        }
        return watch.Elapsed;
    }
}
