namespace Quiver.Input;

/// <summary>One input line: either a fetchable URL or the reason it is not one.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Text">The line as written, trimmed.</param>
/// <param name="Uri">The URL to fetch, or null when the line is invalid.</param>
/// <param name="InvalidReason">Why the line is not a URL, or null when it is.</param>
public readonly record struct UrlRequest(long Line, string Text, Uri? Uri, string? InvalidReason)
{
    /// <summary>Parses <paramref name="text"/> as found on input line <paramref name="line"/>.</summary>
    public static UrlRequest FromLine(long line, string text) => UrlParser.Parse(line, text);
}
