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

    /// <summary>Which agents have their own Broca key; only a key's digest is kept, so the keys cannot be shown.</summary>
    public static string DescribeAgents(IEnumerable<(long AgentId, string Name, bool IsActive, DateTimeOffset MadeAt)> agents)
    {
        var text = new StringBuilder().AppendLine("Agents with their own Broca key (stored hashed, so not shown):");
        foreach (var (agentId, name, isActive, madeAt) in agents)
        {
            text.Append("  agent ").Append(agentId).Append(" (").Append(name).Append(isActive ? "" : ", inactive: its key opens nothing")
                .Append("): made ").AppendLine(madeAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
