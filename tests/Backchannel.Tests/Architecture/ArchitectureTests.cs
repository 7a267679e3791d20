using System.Reflection;
using Backchannel.Abstractions;
using Backchannel.Storage.Postgres;
using Backchannel.Storage.Sqlite;
using NetArchTest.Rules;

namespace Backchannel.Tests.Architecture;

/// <summary>
/// The layering DESIGN.md sets, held by the compiled code: namespaces point toward Protocol and Domain, no namespace
/// depends on itself through others (no cycle), and a storage engine speaks only the store contracts.
/// </summary>
public class ArchitectureTests
{
    private static readonly Assembly[] Assemblies = [typeof(ProviderUrls).Assembly, typeof(SqliteDatabase).Assembly, typeof(PostgresDatabase).Assembly];

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> Graph = new(BuildGraph);

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        var cycles = StronglyConnected(Graph.Value).Where(component => component.Count > 1).ToList();

        Assert.True(cycles.Count == 0, "Namespace cycles: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void The_graph_is_read_from_the_code()
    {
        // A guard for the test itself: the dependencies it finds include arrows that certainly exist.
        Assert.Contains("Backchannel.Protocol", Graph.Value["Backchannel.Domain"]);
        Assert.Contains("Backchannel.Abstractions", Graph.Value["Backchannel.Storage.Sqlite"]);
        Assert.Contains("Backchannel.Abstractions", Graph.Value["Backchannel.Storage.Postgres"]);
        Assert.Contains("Backchannel.Decisions", Graph.Value["Backchannel.Endpoints"]);
        Assert.True(Graph.Value.Count >= 15, $"only {Graph.Value.Count} namespaces found");
    }

    [Theory]
    [InlineData("Backchannel.Protocol")]
    [InlineData("Backchannel.Domain", "Backchannel.Protocol")]
    [InlineData("Backchannel.Abstractions", "Backchannel.Domain", "Backchannel.Protocol")]
    [InlineData("Backchannel.Storage.Sqlite", "Backchannel.Abstractions", "Backchannel.Domain", "Backchannel.Protocol")]
    [InlineData("Backchannel.Storage.Postgres", "Backchannel.Abstractions", "Backchannel.Domain", "Backchannel.Protocol", "Backchannel.Events")]
    [InlineData("Backchannel.Channels.App", "Backchannel.Abstractions", "Backchannel.Channels", "Backchannel.Clients", "Backchannel.Decisions",
        "Backchannel.Domain", "Backchannel.Protocol", "Backchannel.Security", "Backchannel.Tokens")]
    public void Lower_layers_depend_only_on_the_layers_below(string layer, params string[] allowed)
    {
        var outside = Graph.Value[layer].Where(dependency => !allowed.Contains(dependency)).ToList();

        Assert.True(outside.Count == 0, $"{layer} depends on {string.Join(", ", outside)}; it may depend only on {string.Join(", ", allowed)}.");
    }

    [Theory]
    [InlineData("Backchannel.Channels.Http", "Backchannel.Channels.Log", "Backchannel.Channels.Portal", "Backchannel.Channels.Email")]
    [InlineData("Backchannel.Channels.Portal", "Backchannel.Channels.Http", "Backchannel.Channels.Log", "Backchannel.Channels.Email")]
    [InlineData("Backchannel.Channels.Email", "Backchannel.Channels.Http", "Backchannel.Channels.Log")]
    [InlineData("Backchannel.Channels", "Backchannel.Channels.Http", "Backchannel.Channels.Log", "Backchannel.Channels.Portal", "Backchannel.Channels.Email")]
    public void Channels_depend_on_no_other_channel_but_the_email_page_on_the_portals_view(string channel, params string[] forbidden)
    {
        var wrong = Graph.Value[channel].Where(forbidden.Contains).ToList();

        Assert.True(wrong.Count == 0, $"{channel} depends on {string.Join(", ", wrong)}.");
        Assert.Contains("Backchannel.Channels", Graph.Value["Backchannel.Channels.Portal"]);
    }

    [Fact]
    public void Only_the_composition_root_depends_on_hosting()
    {
        var dependents = Graph.Value.Where(pair => pair.Key != "Backchannel.Hosting" && pair.Value.Contains("Backchannel.Hosting")).Select(pair => pair.Key).ToList();

        Assert.Empty(dependents);
    }

    [Fact]
    public void Endpoints_are_used_by_nothing_but_the_composition_root()
    {
        // Endpoints.Admin is the admin API's endpoints: part of the Endpoints layer (it uses ProtocolHttp), used only by Hosting.
        var dependents = Graph.Value
            .Where(pair => !IsEndpoints(pair.Key) && pair.Key != "Backchannel.Hosting" && pair.Value.Any(IsEndpoints))
            .Select(pair => pair.Key).ToList();

        Assert.Empty(dependents);
        Assert.DoesNotContain("Backchannel.Endpoints.Admin", Graph.Value["Backchannel.Endpoints"]);
    }

    [Fact]
    public void The_admin_services_are_used_only_by_their_endpoints_and_the_composition_root()
    {
        var dependents = Graph.Value
            .Where(pair => pair.Key is not ("Backchannel.Admin" or "Backchannel.Endpoints.Admin" or "Backchannel.Hosting") && pair.Value.Contains("Backchannel.Admin"))
            .Select(pair => pair.Key).ToList();

        Assert.Empty(dependents);
        Assert.Contains("Backchannel.Admin", Graph.Value["Backchannel.Endpoints.Admin"]);
        Assert.DoesNotContain("Backchannel.Endpoints", Graph.Value["Backchannel.Admin"]);
    }

    private static bool IsEndpoints(string ns) => ns == "Backchannel.Endpoints" || ns.StartsWith("Backchannel.Endpoints.", StringComparison.Ordinal);

    [Fact]
    public void Protocol_does_no_io()
    {
        var result = Types.InAssembly(typeof(ProviderUrls).Assembly).That().ResideInNamespace("Backchannel.Protocol")
            .ShouldNot().HaveDependencyOnAny("System.Net.Http", "Microsoft.AspNetCore.Http", "Microsoft.Data", "System.IO.File")
            .GetResult();

        Assert.True(result.IsSuccessful, "Protocol types doing I/O: " + string.Join(", ", (result.FailingTypes ?? []).Select(t => t.FullName)));
    }

    /// <summary>Each namespace of ours, and the namespaces of ours its types use (found by NetArchTest in the compiled code).</summary>
    private static IReadOnlyDictionary<string, IReadOnlySet<string>> BuildGraph()
    {
        var types = Assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsNested: false, Namespace: not null } && t.Namespace.StartsWith("Backchannel", StringComparison.Ordinal))
            .ToList();
        var namespaces = types.Select(t => t.Namespace!).Distinct().ToList();
        var typesByNamespace = namespaces.ToDictionary(ns => ns, ns => types.Where(t => t.Namespace == ns).Select(t => t.FullName!).ToArray());
        var graph = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var ns in namespaces)
        {
            var dependencies = new HashSet<string>();
            foreach (var other in namespaces.Where(other => other != ns))
            {
                var uses = Types.InAssemblies(Assemblies).That().ResideInNamespaceMatching($"^{System.Text.RegularExpressions.Regex.Escape(ns)}$")
                    .And().HaveDependencyOnAny(typesByNamespace[other]).GetTypes().Any();
                if (uses)
                {
                    dependencies.Add(other);
                }
            }

            graph[ns] = dependencies;
        }

        return graph;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(IReadOnlyDictionary<string, IReadOnlySet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                components.Add(component);
            }
        }

        foreach (var v in graph.Keys.Where(v => !index.ContainsKey(v)))
        {
            Visit(v);
        }

        return components;
    }
}
