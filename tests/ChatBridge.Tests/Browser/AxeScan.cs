using System.Text.Json;
using Microsoft.Playwright;

namespace ChatBridge.Tests.Browser;

/// <summary>
/// Runs axe-core (from the repository's node_modules, installed by npm as a dev dependency; never served by the
/// bridge nor committed) in a page and returns its critical and serious findings.
/// </summary>
internal static class AxeScan
{
    private static readonly Lazy<string> Source = new(() => File.ReadAllText(Path.Combine(RepositoryRoot(), "node_modules", "axe-core", "axe.min.js")));

    public static async Task AssertNoSeriousFindingsAsync(IPage page, string state)
    {
        // Bootstrap's colour transitions stop under reduced motion, so no button is measured halfway through one.
        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.AddScriptTagAsync(new() { Content = Source.Value });
        }
        var findings = await page.EvaluateAsync<JsonElement>("""
            async () => {
                const result = await axe.run(document, { resultTypes: ['violations'] });
                return result.violations
                    .filter(v => v.impact === 'critical' || v.impact === 'serious')
                    .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(' ') + ' ' + (n.failureSummary ?? '')).join(' | ')}`);
            }
            """);
        var list = findings.EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.True(list.Count == 0, $"axe findings on {state}:\n{string.Join('\n', list)}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "package.json")) && File.Exists(Path.Combine(folder.FullName, "ChatBridge.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("No repository root (package.json beside ChatBridge.sln) above the test binaries.");
    }
}
