using ArchUnitNET.Domain;
using ArchUnitNET.Loader;

namespace ChatBridge.Tests.Architecture;

/// <summary>
/// Which top-level namespace of the bridge (<c>ChatBridge.Chat</c>, <c>ChatBridge.Storage</c>, …) uses which, read from
/// the compiled assembly by ArchUnitNET, with one example of each use so a failure says where to look.
/// </summary>
internal sealed class NamespaceGraph
{
    private const string Root = "ChatBridge.";

    private static readonly Lazy<NamespaceGraph> Loaded = new(() => new NamespaceGraph(
        new ArchLoader().LoadAssemblies(typeof(Program).Assembly).Build()));

    private NamespaceGraph(ArchUnitNET.Domain.Architecture architecture)
    {
        Types = [.. architecture.Types];
        foreach (var type in Types)
        {
            if (TopLevel(type) is not { } from)
            {
                continue;
            }
            Namespaces.Add(from);
            foreach (var dependency in type.Dependencies)
            {
                if (TopLevel(dependency.Target) is { } to && to != from)
                {
                    Edges.TryAdd((from, to), $"{type.FullName} → {dependency.Target.FullName}");
                }
            }
        }
    }

    public static NamespaceGraph Bridge => Loaded.Value;

    public IReadOnlyList<IType> Types { get; }

    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Each use of one namespace by another, with the first type dependency found for it.</summary>
    public SortedDictionary<(string From, string To), string> Edges { get; } = new();

    /// <summary><c>Chat</c> for <c>ChatBridge.Chat.Replies</c>; null outside the bridge (and for <c>Program</c>, in the global namespace).</summary>
    public static string? TopLevel(IType type)
    {
        var name = type.Namespace?.FullName ?? "";
        return name.StartsWith(Root, StringComparison.Ordinal) ? name[Root.Length..].Split('.')[0] : null;
    }

    /// <summary>The strongly connected groups of two or more namespaces (Tarjan): every one is a cycle.</summary>
    public List<List<string>> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<List<string>>();
        var next = 0;

        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var (_, to) in Edges.Keys.Where(e => e.From == node))
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }
            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);
                if (group.Count > 1)
                {
                    groups.Add([.. group.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in Namespaces.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }
        return groups;
    }
}
