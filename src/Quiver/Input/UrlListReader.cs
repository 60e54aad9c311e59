using System.Runtime.CompilerServices;
using System.Text;

namespace Quiver.Input;

/// <summary>
/// Reads a URL list lazily, one line at a time: blank lines and <c>#</c> comments are skipped (but
/// counted, so line numbers match the file), CRLF and a UTF-8/UTF-16 byte order mark are tolerated.
/// Memory does not grow with the list.
/// </summary>
public static class UrlListReader
{
    /// <summary>Reads every URL line of <paramref name="reader"/>.</summary>
    public static async IAsyncEnumerable<UrlRequest> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (IsSkipped(line)) continue;
            yield return UrlParser.Parse(lineNumber, line);
        }
    }

    /// <summary>Reads every URL line of <paramref name="stream"/> (UTF-8 unless a byte order mark says otherwise).</summary>
    public static async IAsyncEnumerable<UrlRequest> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        await foreach (var request in ReadAsync(reader, cancellationToken).ConfigureAwait(false))
            yield return request;
    }

    /// <summary>Reads the given lines, numbering them from 1 (for lists built in code).</summary>
    public static async IAsyncEnumerable<UrlRequest> FromLines(IEnumerable<string> lines, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        long lineNumber = 0;
        foreach (string line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (IsSkipped(line)) continue;
            yield return UrlParser.Parse(lineNumber, line);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Counts URL lines without keeping them: the cheap first pass behind a progress total.</summary>
    public static long CountUrls(string path) => Lines(path).LongCount();

    /// <summary>The lines of a list file that hold a URL (trimmed; blank and <c>#</c> lines skipped), read lazily.</summary>
    public static IEnumerable<string> Lines(string path) =>
        File.ReadLines(path).Where(line => !IsSkipped(line)).Select(UrlParser.TrimLine);

    private static bool IsSkipped(string line)
    {
        string trimmed = UrlParser.TrimLine(line);
        return trimmed.Length == 0 || trimmed[0] == '#';
    }
}
