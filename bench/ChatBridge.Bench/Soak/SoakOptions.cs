using System.Globalization;

namespace ChatBridge.Bench.Soak;

/// <summary>The soak's own options; the rest (provider, PostgreSQL server, host build) are <see cref="BenchOptions"/>'.</summary>
internal sealed record SoakOptions(TimeSpan Duration, string OutFolder, BenchOptions Bench)
{
    public const string Usage = """
        dotnet run -c Release --project bench/ChatBridge.Bench -- soak [options]
          --minutes N              how long the steady load runs (default 30)
          --out FOLDER             where samples.csv and soak.png go (default soak-results/PROVIDER)
          --provider, --postgres, --host-dll, --host-arg
                                   as for the workloads
        """;

    /// <summary>The options, or null (after printing why) when the arguments are wrong.</summary>
    public static SoakOptions? Parse(string[] args)
    {
        var minutes = 30;
        string? outFolder = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--minutes" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    minutes = n;
                    i++;
                    break;
                case "--out" when !string.IsNullOrWhiteSpace(value):
                    outFolder = value;
                    i++;
                    break;
                case "--minutes" or "--out" or "--workload" or "--instances" or "--duration" or "--warmup":
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'{(value is null ? "" : $" '{value}'")}.\n\n{Usage}");
                    return null;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        if (BenchOptions.Parse([.. rest]) is not { } bench)
        {
            Console.Error.WriteLine(Usage);
            return null;
        }
        return new SoakOptions(TimeSpan.FromMinutes(minutes), Path.GetFullPath(outFolder ?? Path.Combine("soak-results", bench.Provider)), bench);
    }
}
