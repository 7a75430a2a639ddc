using System.Text;

namespace ChatBridge.Settings;

/// <summary>Keys as they are printed to the console, once at first start and by the <c>keys</c> verb; never to a log.</summary>
internal static class KeyListing
{
    public static string Describe(string heading, IReadOnlyDictionary<string, string> keys)
    {
        var text = new StringBuilder().AppendLine(heading);
        foreach (var (name, value) in keys)
        {
            text.Append("  ").Append(name).Append(": ").AppendLine(value);
        }
        return text.ToString();
    }
}
