using Quiver.Fetching;

namespace Quiver.Output.Warc;

/// <summary>The warcinfo record's fields Quiver writes at the start of a WARC file.</summary>
public static class WarcInfo
{
    /// <summary>The fields for a run sending <paramref name="userAgent"/>, described as <paramref name="description"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> For(string userAgent, string description) =>
    [
        new("software", FetchOptions.Product),
        new("format", "WARC File Format 1.1"),
        new("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        new("http-header-user-agent", userAgent),
        new("description", description),
    ];
}
