using System.Diagnostics;

namespace ChatBridge.Tests.Hosting;

/// <summary>Runs the built program as a process of its own, the way a user or a service manager starts it.</summary>
internal static class AppProcess
{
    /// <summary>Where the build put the program, beside the tests.</summary>
    public static string BuiltFolder => AppContext.BaseDirectory;

    /// <summary>How to start the program in <paramref name="appFolder"/>, with its console redirected.</summary>
    public static ProcessStartInfo StartInfo(string appFolder, string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(appFolder, "ChatBridge.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string appFolder, string workingDirectory, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(appFolder, workingDirectory, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Copies the program to <paramref name="destination"/> as a deployment would: its files, native libraries and pages.</summary>
    public static string CopyTo(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(BuiltFolder))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
        foreach (var folder in new[] { "runtimes", "wwwroot" })
        {
            CopyFolder(Path.Combine(BuiltFolder, folder), Path.Combine(destination, folder));
        }
        return destination;
    }

    private static void CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
