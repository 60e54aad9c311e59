using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Quiver.Crawl;

/// <summary>How far a crawl's scope reaches from its seeds.</summary>
public enum ScopeKind
{
    /// <summary>Only the seeds' host names.</summary>
    Host,
    /// <summary>The seeds' domains and their subdomains ("www." of a seed is dropped first).</summary>
    Domain,
    /// <summary>Any host.</summary>
    Any,
}

/// <summary>
/// What a crawl covers: its seeds and the limits on what it follows. Stored in the state file, so
/// a resumed crawl continues the same crawl whatever flags it is given.
/// </summary>
public sealed record CrawlSettings
{
    /// <summary>The URLs the crawl starts from, normalised.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Most links followed from a seed; null for no limit.</summary>
    public int? MaxDepth { get; init; }

    public ScopeKind Scope { get; init; } = ScopeKind.Host;

    /// <summary>When any are given, a followed URL must match one of these.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>A URL matching any of these is not followed.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Most URLs admitted to the frontier (seeds included); null for no limit.</summary>
    public long? MaxPages { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public CrawlSettings Validate()
    {
        if (Seeds.Count == 0) throw new ArgumentException("a crawl needs at least one seed URL");
        foreach (string seed in Seeds)
        {
            if (UrlNormalizer.Normalize(seed) is null) throw new ArgumentException($"seed is not an http(s) URL: {seed}");
        }
        if (MaxDepth is < 0) throw new ArgumentException("depth must be 0 or more");
        if (MaxPages is < 1) throw new ArgumentException("max pages must be at least 1");
        foreach (string pattern in Include.Concat(Exclude))
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"not a regular expression: {pattern} ({e.Message})", e);
            }
        }
        return this;
    }
}

/// <summary>Serialisation of <see cref="CrawlSettings"/> for the state file.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CrawlSettings))]
internal sealed partial class CrawlJsonContext : JsonSerializerContext;
