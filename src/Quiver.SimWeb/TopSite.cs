using System.Text.Json;

namespace Quiver.SimWeb;

/// <summary>One entry of the top-sites list shipped with Quiver (data/top-sites.json, MIT licence beside it).</summary>
public sealed record TopSite(int Rank, string Host)
{
    private static readonly Lazy<IReadOnlyList<TopSite>> Shipped = new(LoadShipped);

    /// <summary>All 500 sites, most linked first.</summary>
    public static IReadOnlyList<TopSite> All => Shipped.Value;

    /// <summary>The first <paramref name="count"/> sites.</summary>
    public static IReadOnlyList<TopSite> Top(int count) => [.. All.Take(count)];

    private static IReadOnlyList<TopSite> LoadShipped()
    {
        using var stream = typeof(TopSite).Assembly.GetManifestResourceStream("top-sites.json")
            ?? throw new InvalidOperationException("the top-sites list is missing from the assembly");
        using var document = JsonDocument.Parse(stream);
        var sites = new List<TopSite>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            // The list has one name with stray trailing dots ("marketingplatform.google....").
            string host = entry.GetProperty("rootDomain").GetString()!.Trim().TrimEnd('.').ToLowerInvariant();
            sites.Add(new TopSite(entry.GetProperty("rank").GetInt32(), host));
        }
        return sites;
    }
}
