using System.Globalization;
using SkiaSharp;

namespace ChatBridge.Bench.Soak;

/// <summary>The soak's samples as one PNG: memory, threads and handles, the database and WAL, and the p99s, over time.</summary>
internal static class SoakPlot
{
    private const int Width = 1400;
    private const int Height = 900;

    private static readonly SKColor[] Colors =
    [
        new(0x1f, 0x77, 0xb4), new(0xd6, 0x27, 0x28), new(0x2c, 0xa0, 0x2c), new(0xff, 0x7f, 0x0e),
        new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b), new(0x17, 0xbe, 0xcf),
    ];

    private static readonly string[] PlottedActions = ["post", "poll with cursor", "poll without cursor", "reply by push", "outbox", "admin sessions", "admin stats"];

    public static void Save(IReadOnlyList<SoakSample> samples, string title, string path)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = LoadTypeface();
        using var titleFont = new SKFont(typeface, 20);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, 20, 30, SKTextAlign.Left, titleFont, ink);

        var warmupEnd = samples[^1].Minutes / 3;
        var panels = new (string Title, (string Name, Func<SoakSample, double?> Pick)[] Series)[]
        {
            ("Memory (MiB)", [("RSS", s => s.RssMb), ("private (RssAnon)", s => s.PrivateMb), ("GC heap after last collection", s => s.GcHeapMb)]),
            ("Threads and open handles", [("threads", s => s.Threads), ("handles", s => s.Handles)]),
            ("Database and WAL (MiB)", [("database", s => s.DatabaseMb), ("WAL", s => s.WalMb)]),
            ("p99 per 10 s window (ms)", [.. PlottedActions.Select(a => (a, (Func<SoakSample, double?>)(s => s.P99Ms[a])))]),
        };
        for (var i = 0; i < panels.Length; i++)
        {
            var area = new SKRect(70 + (i % 2) * 690, 70 + (i / 2) * 415, 70 + (i % 2) * 690 + 600, 70 + (i / 2) * 415 + 330);
            DrawPanel(canvas, typeface, area, panels[i].Title, samples, panels[i].Series, warmupEnd);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    private static void DrawPanel(
        SKCanvas canvas, SKTypeface typeface, SKRect area, string title, IReadOnlyList<SoakSample> samples,
        (string Name, Func<SoakSample, double?> Pick)[] series, double warmupEnd)
    {
        using var font = new SKFont(typeface, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawText(title, area.Left, area.Top - 8, SKTextAlign.Left, font, ink);

        var maxX = Math.Max(samples[^1].Minutes, 1e-6);
        var values = series.SelectMany(s => samples.Select(s.Pick)).OfType<double>().ToList();
        var maxY = NiceCeiling(values.Count == 0 ? 1 : values.Max());
        float X(double minutes) => area.Left + (float)(minutes / maxX) * area.Width;
        float Y(double value) => area.Bottom - (float)(value / maxY) * area.Height;

        for (var tick = 0; tick <= 5; tick++)
        {
            var value = maxY * tick / 5;
            canvas.DrawLine(area.Left, Y(value), area.Right, Y(value), grid);
            canvas.DrawText(value.ToString(value >= 10 ? "0" : "0.#", CultureInfo.InvariantCulture), area.Left - 6, Y(value) + 4, SKTextAlign.Right, font, ink);
        }
        var step = maxX > 20 ? 5 : maxX > 5 ? 1 : 0.5;
        for (var minute = 0.0; minute <= maxX + 1e-9; minute += step)
        {
            canvas.DrawText(minute.ToString("0.#", CultureInfo.InvariantCulture), X(minute), area.Bottom + 16, SKTextAlign.Center, font, ink);
        }
        canvas.DrawText("minutes", area.Right, area.Bottom + 32, SKTextAlign.Right, font, ink);
        canvas.DrawRect(area, axis);
        using (var dashes = SKPathEffect.CreateDash([6, 4], 0))
        using (var warmup = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, PathEffect = dashes, Style = SKPaintStyle.Stroke })
        {
            canvas.DrawLine(X(warmupEnd), area.Top, X(warmupEnd), area.Bottom, warmup);
        }

        for (var i = 0; i < series.Length; i++)
        {
            using var line = new SKPaint { Color = Colors[i % Colors.Length], StrokeWidth = 1.6f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var path = new SKPathBuilder();
            var started = false;
            foreach (var sample in samples)
            {
                if (series[i].Pick(sample) is not { } value)
                {
                    started = false;
                    continue;
                }
                if (started)
                {
                    path.LineTo(X(sample.Minutes), Y(value));
                }
                else
                {
                    path.MoveTo(X(sample.Minutes), Y(value));
                    started = true;
                }
            }
            using var drawn = path.Detach();
            canvas.DrawPath(drawn, line);
            using var swatch = new SKPaint { Color = Colors[i % Colors.Length], IsAntialias = true };
            var legendY = area.Top + 16 + i * 16;
            canvas.DrawRect(area.Left + 8, legendY - 9, 12, 10, swatch);
            canvas.DrawText(series[i].Name, area.Left + 26, legendY, SKTextAlign.Left, font, ink);
        }
    }

    /// <summary>The axis top: 1, 2 or 5 times a power of ten, at least <paramref name="value"/>.</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * power).First(candidate => candidate >= value);
    }

    /// <summary>A font file the system has, so the labels render where SkiaSharp brings no font of its own.</summary>
    private static SKTypeface LoadTypeface()
    {
        string[] candidates = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"];
        return candidates.Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null) ?? SKTypeface.Default;
    }
}
