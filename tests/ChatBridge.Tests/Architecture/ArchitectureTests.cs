namespace ChatBridge.Tests.Architecture;

/// <summary>
/// The layout is the architecture (README, "How the code is laid out"): a folder per feature, the storage engines in
/// their own folders, small leaves for options, HTTP helpers, events and the storage seam, and the wiring on top.
/// These tests read the compiled assembly and fail when a change breaks that shape.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>
    /// Which top-level namespace may use which. A feature uses the leaves and the features below it; the engines
    /// implement every feature's store interfaces; only the wiring (Hosting) knows them all, and nothing knows Hosting.
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Configuration"] = [],
        ["Data"] = [],
        ["Events"] = [],
        ["Http"] = ["Configuration"],
        ["Observability"] = ["Configuration"],
        ["Realtime"] = ["Configuration", "Events", "Http", "Observability"],
        ["Settings"] = ["Configuration", "Data", "Events", "Http", "Realtime"],
        ["Attachments"] = ["Configuration", "Http"],
        ["Presence"] = ["Configuration", "Data", "Http"],
        ["Agents"] = ["Configuration", "Data", "Http", "Presence"],
        ["Stats"] = ["Configuration", "Data", "Http"],
        ["Widget"] = ["Configuration", "Http"],
        ["Accounts"] = ["Configuration", "Data", "Http"],
        ["Access"] = ["Accounts", "Configuration", "Data", "Http", "Observability", "Settings"],
        ["Chat"] = ["Agents", "Attachments", "Configuration", "Data", "Events", "Http", "Observability", "Realtime", "Settings"],
        ["Inbox"] = ["Attachments", "Chat", "Configuration", "Data", "Events", "Http", "Observability", "Presence", "Realtime", "Settings"],
        ["Admin"] = ["Access", "Agents", "Attachments", "Chat", "Configuration", "Data", "Events", "Http", "Inbox", "Observability", "Presence", "Realtime", "Settings"],
    };

    private static readonly string[] Features = ["Access", "Accounts", "Admin", "Agents", "Attachments", "Chat", "Inbox", "Settings", "Stats", "Widget"];

    private static NamespaceGraph Graph => NamespaceGraph.Bridge;

    [Fact]
    public void Top_level_namespaces_depend_on_each_other_without_a_cycle()
    {
        var cycles = Graph.Cycles();

        Assert.True(cycles.Count == 0, "namespaces in a dependency cycle:\n" + string.Join('\n', cycles.Select(cycle =>
            string.Join(", ", cycle) + "\n" + string.Join('\n', Graph.Edges
                .Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To))
                .Select(e => $"  {e.Key.From} -> {e.Key.To}: {e.Value}")))));
    }

    [Fact]
    public void Each_namespace_uses_only_what_the_architecture_allows_it()
    {
        var unexpected = Graph.Edges
            .Where(e => Allowed.TryGetValue(e.Key.From, out var allowed) && !allowed.Contains(e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}")
            .ToList();

        Assert.True(unexpected.Count == 0, "dependencies the architecture does not allow:\n" + string.Join('\n', unexpected));
    }

    [Fact]
    public void Every_namespace_has_its_place_in_the_architecture()
    {
        var unplaced = Graph.Namespaces.Where(n => !Allowed.ContainsKey(n) && n is not ("Storage" or "Hosting")).ToList();

        Assert.True(unplaced.Count == 0, $"namespaces not in ArchitectureTests.Allowed: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void Nothing_but_the_entry_point_uses_the_wiring()
    {
        var users = Graph.Edges.Where(e => e.Key.To == "Hosting").Select(e => e.Value).ToList();

        Assert.True(users.Count == 0, "Hosting is used by:\n" + string.Join('\n', users));
    }

    [Fact]
    public void No_feature_knows_a_storage_engine()
    {
        var users = Graph.Edges.Where(e => e.Key.To == "Storage" && e.Key.From != "Hosting").Select(e => e.Value).ToList();

        Assert.True(users.Count == 0, "Storage is used by:\n" + string.Join('\n', users));
    }

    [Theory]
    [InlineData("ChatBridge.Storage.Sqlite", "Microsoft.Data.Sqlite")]
    [InlineData("ChatBridge.Storage.Sqlite", "SQLitePCL")]
    [InlineData("ChatBridge.Storage.Postgres", "Npgsql")]
    public void Engine_code_stays_in_its_folder(string folder, string driver)
    {
        var outside = Graph.Types
            .Where(t => !(t.Namespace?.FullName ?? "").StartsWith(folder, StringComparison.Ordinal))
            .SelectMany(t => t.Dependencies
                .Where(d => (d.Target.Namespace?.FullName ?? "").StartsWith(driver, StringComparison.Ordinal))
                .Select(d => $"{t.FullName} → {d.Target.FullName}"))
            .Distinct()
            .ToList();

        Assert.True(outside.Count == 0, $"{driver} used outside {folder}:\n" + string.Join('\n', outside));
    }

    [Fact]
    public void Every_feature_is_a_folder_of_its_own()
    {
        Assert.All(Features, feature => Assert.Contains(feature, Graph.Namespaces));
    }
}
