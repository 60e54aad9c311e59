using System.Globalization;
using System.Text;

namespace Quiver.Crawl;

/// <summary>
/// One host's robots.txt, parsed per RFC 9309: the group for our product token (else the <c>*</c>
/// group), longest-match rules with <c>*</c> and <c>$</c>, Allow winning a tie, and the widely used
/// <c>Crawl-delay</c> extension.
/// </summary>
/// <remarks>
/// Hand-written because no maintained robots.txt parser is published for .NET on the package feeds
/// this project builds from; RFC 9309 is small (groups, two rule kinds, two wildcards) and this file
/// follows it section by section.
/// </remarks>
public sealed class RobotsRules
{
    /// <summary>RFC 9309 §2.5: crawlers must parse at least 500 KiB; anything past it is ignored.</summary>
    public const int MaxBytes = 500 * 1024;

    private readonly List<Rule> _rules;

    private RobotsRules(List<Rule> rules, TimeSpan? crawlDelay)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
    }

    /// <summary>Everything allowed: the verdict for a robots.txt that is missing (4xx).</summary>
    public static RobotsRules AllowAll { get; } = new([], null);

    /// <summary>Nothing allowed: the verdict for a robots.txt that is unreachable (5xx, network error), RFC 9309 §2.3.1.4.</summary>
    public static RobotsRules DisallowAll { get; } = new([new Rule("/", Allow: false)], null);

    /// <summary>The Crawl-delay the matched group asks for, if any.</summary>
    public TimeSpan? CrawlDelay { get; }

    /// <summary>Parses <paramref name="content"/> for the crawler whose product token is <paramref name="productToken"/>.</summary>
    public static RobotsRules Parse(string content, string productToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(productToken);
        if (content.Length > MaxBytes) content = content[..MaxBytes];

        var groups = new List<Group>();
        Group? current = null;
        bool lastWasAgent = false;
        foreach (string rawLine in content.Split('\n'))
        {
            string line = rawLine;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0) line = line[..hash];
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            string key = line[..colon].Trim().ToLowerInvariant();
            string value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent":
                    // Consecutive user-agent lines share one group (§2.1).
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group();
                        groups.Add(current);
                    }
                    current.Agents.Add(value.ToLowerInvariant());
                    lastWasAgent = true;
                    break;
                case "allow" or "disallow":
                    lastWasAgent = false;
                    // An empty Disallow allows everything; an empty Allow says nothing.
                    if (current is not null && value.Length > 0)
                        current.Rules.Add(new Rule(NormalizePattern(value), key == "allow"));
                    break;
                case "crawl-delay":
                    lastWasAgent = false;
                    if (current is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                        && seconds >= 0 && double.IsFinite(seconds))
                    {
                        current.CrawlDelay = TimeSpan.FromSeconds(Math.Min(seconds, 86_400));
                    }
                    break;
                default:
                    // Sitemap and unknown records neither open nor close a group.
                    break;
            }
        }

        // §2.2.1: all groups naming our token are merged; failing that, all '*' groups.
        string token = productToken.ToLowerInvariant();
        var chosen = groups.Where(g => g.Agents.Any(a => a == token)).ToList();
        if (chosen.Count == 0) chosen = groups.Where(g => g.Agents.Contains("*")).ToList();
        var rules = chosen.SelectMany(g => g.Rules).ToList();
        var delay = chosen.Select(g => g.CrawlDelay).FirstOrDefault(d => d is not null);
        return new RobotsRules(rules, delay);
    }

    /// <summary>True when <paramref name="url"/> may be fetched. /robots.txt itself is always allowed (§2.2.2).</summary>
    public bool IsAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string path = NormalizePattern(url.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        if (path == "/robots.txt") return true;
        Rule? best = null;
        foreach (var rule in _rules)
        {
            if (!Matches(rule.Pattern, path)) continue;
            int length = rule.Pattern.Length;
            if (best is null || length > best.Pattern.Length || (length == best.Pattern.Length && rule.Allow && !best.Allow))
                best = rule;
        }
        return best?.Allow ?? true;
    }

    /// <summary>Matches with '*' as any run of characters and a trailing '$' anchoring the end.</summary>
    private static bool Matches(string pattern, string path)
    {
        bool anchored = pattern.EndsWith('$');
        if (anchored) pattern = pattern[..^1];
        string[] pieces = pattern.Split('*');
        if (!path.StartsWith(pieces[0], StringComparison.Ordinal)) return false;
        int position = pieces[0].Length;
        for (int i = 1; i < pieces.Length; i++)
        {
            string piece = pieces[i];
            if (i == pieces.Length - 1 && anchored)
            {
                // The last piece must sit at the very end (after everything matched so far).
                return path.Length - piece.Length >= position && path.EndsWith(piece, StringComparison.Ordinal);
            }
            int found = path.IndexOf(piece, position, StringComparison.Ordinal);
            if (found < 0) return false;
            position = found + piece.Length;
        }
        return !anchored || position == path.Length;
    }

    /// <summary>
    /// §2.2.2: compare in percent-encoded form, with the octets of non-ASCII characters encoded and
    /// escapes of unreserved characters decoded, so "/a%7Eb" and "/a~b" are one path.
    /// </summary>
    private static string NormalizePattern(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
            {
                char decoded = (char)Convert.ToInt32(value.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~')
                    builder.Append(decoded);
                else
                    builder.Append('%').Append(char.ToUpperInvariant(value[i + 1])).Append(char.ToUpperInvariant(value[i + 2]));
                i += 2;
            }
            else if (c > 0x7F || char.IsWhiteSpace(c))
            {
                foreach (byte b in Encoding.UTF8.GetBytes(c.ToString()))
                    builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private sealed record Rule(string Pattern, bool Allow);

    private sealed class Group
    {
        public List<string> Agents { get; } = [];
        public List<Rule> Rules { get; } = [];
        public TimeSpan? CrawlDelay { get; set; }
    }
}
