using System.Security.Cryptography;
using System.Text;

namespace Quiver.Handlers;

/// <summary>
/// Built-in handler behind <c>--save-bodies DIR</c>. File names come from the URL but are reduced to
/// a flat, safe alphabet, so no URL (../, absolute paths, NUL, very long paths) can name a file
/// outside the folder.
/// </summary>
public sealed class BodySaver : IResponseHandler
{
    private const int MaxSlugLength = 96;
    private readonly string _directory;

    public BodySaver(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public async ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string path = PathFor(context.Result.Line, context.Url);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await context.Body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
        context.Result.BodyFile = path;
    }

    /// <summary>The file a body fetched from <paramref name="url"/> on input line <paramref name="line"/> is saved to.</summary>
    public string PathFor(long line, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string name = FileNameFor(line, url.Host + url.PathAndQuery);
        string full = Path.GetFullPath(Path.Combine(_directory, name));
        // Defence in depth: the name has no separators, but never trust that alone.
        if (!full.StartsWith(_directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"refusing to write outside {_directory}");
        return full;
    }

    /// <summary>Line number, a readable slug of host and path, and a hash that keeps distinct URLs apart.</summary>
    internal static string FileNameFor(long line, string hostAndPath)
    {
        var slug = new StringBuilder(MaxSlugLength);
        bool lastWasSeparator = false;
        foreach (char c in hostAndPath)
        {
            if (slug.Length >= MaxSlugLength) break;
            bool keep = char.IsAsciiLetterOrDigit(c) || c is '-' or '.';
            if (keep && !(c == '.' && (slug.Length == 0 || lastWasSeparator || slug[^1] == '.')))
            {
                slug.Append(c);
                lastWasSeparator = false;
            }
            else if (!lastWasSeparator && slug.Length > 0)
            {
                slug.Append('_');
                lastWasSeparator = true;
            }
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hostAndPath)).AsSpan(0, 4));
        return $"{line:D6}_{slug.ToString().TrimEnd('_', '.')}_{hash}.body";
    }
}
