using System.Text.RegularExpressions;

namespace Quiver.Tests.Architecture;

/// <summary>
/// The library's namespaces must form no cycle: read from the sources (each file's <c>namespace</c>
/// and the <c>Quiver.*</c> namespaces it names in <c>using</c> lines or fully qualified), the graph of
/// "uses" between namespaces is searched for strongly connected groups. Run it alone with
/// <c>dotnet test tests/Quiver.Tests --filter NamespaceCycleTests</c>.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    /// <summary>
    /// Cycles that exist today and are yet to be broken (issue 14, item 3). The test fails on any
    /// cycle not listed, and on a listed one that is gone (so the list only shrinks).
    /// </summary>
    private static readonly string[] KnownCycles =
    [
        // Quiver.Concurrency uses only Quiver.Fetching (FetchResult), but Strategies and Crawl use it, so
        // it falls inside the one group while Fetching does.
        "Quiver.Concurrency <-> Quiver.Crawl <-> Quiver.Crawl.Frontier <-> Quiver.Fetching <-> Quiver.Handlers <-> Quiver.Output <-> Quiver.Output.Warc"
            + " <-> Quiver.Resilience <-> Quiver.Running <-> Quiver.State <-> Quiver.Strategies",
    ];

    [Fact]
    public void The_library_namespaces_form_no_cycle_beyond_the_known_ones()
    {
        var cycles = Cycles(Graph(SourceFolder())).Select(c => string.Join(" <-> ", c)).Order(StringComparer.Ordinal).ToList();
        Assert.True(cycles.SequenceEqual(KnownCycles.Order(StringComparer.Ordinal)),
            "namespace cycles in src/Quiver:\n" + string.Join("\n", cycles));
    }

    private static string SourceFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Quiver.slnx"))) folder = folder.Parent;
        return Path.Combine(folder?.FullName ?? throw new InvalidOperationException("Quiver.slnx not found above the test assembly"), "src", "Quiver");
    }

    /// <summary>For each namespace of the library, the other library namespaces its files use.</summary>
    internal static Dictionary<string, SortedSet<string>> Graph(string folder)
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } declared) continue;
            string self = declared.Groups[1].Value;
            if (!graph.TryGetValue(self, out var uses)) graph[self] = uses = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match used in UsingLine().Matches(text)) uses.Add(used.Groups[1].Value);
            foreach (Match used in QualifiedName().Matches(text)) uses.Add(used.Groups[1].Value);
            uses.Remove(self);
        }
        // Only namespaces that are declared: a qualified name's last part may be a type, not a namespace.
        foreach (var uses in graph.Values) uses.RemoveWhere(u => !graph.ContainsKey(u));
        return graph;
    }

    /// <summary>Strongly connected groups of more than one namespace (Tarjan's algorithm), each sorted.</summary>
    internal static List<List<string>> Cycles(Dictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<List<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (string next in graph[node])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }
            if (low[node] != index[node]) return;
            var group = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                group.Add(member);
            }
            while (member != node);
            if (group.Count > 1) groups.Add([.. group.Order(StringComparer.Ordinal)]);
        }
        foreach (string node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node)) Visit(node);
        }
        return groups;
    }

    [Fact]
    public void The_check_finds_a_cycle_through_using_lines_and_qualified_names()
    {
        string folder = Directory.CreateTempSubdirectory("quiver-cycles-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "A.cs"), "using Quiver.B;\nnamespace Quiver.A;\nclass X;");
            File.WriteAllText(Path.Combine(folder, "B.cs"), "namespace Quiver.B;\nclass Y { Quiver.A.X? x; }");
            File.WriteAllText(Path.Combine(folder, "C.cs"), "using Quiver.A;\nnamespace Quiver.C;\nclass Z;");
            Assert.Equal([["Quiver.A", "Quiver.B"]], Cycles(Graph(folder)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"^namespace\s+(Quiver(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Quiver(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    // A use written fully qualified (Quiver.Output.QuiverJsonContext). One written relative to the file's
    // own namespace (Output.X inside Quiver.State) is not seen: the check is a floor, not a proof.
    [GeneratedRegex(@"(?<![\w.])(Quiver\.\w+(?:\.\w+)?)\.\w+")]
    private static partial Regex QualifiedName();
}
