namespace Quiver.Cli.Commands;

/// <summary>
/// Checks on the files and folders named on the command line, made before a run creates anything,
/// so that a mistake is one usage line (exit 2) and never a half-made state or output file.
/// </summary>
internal static class PathChecks
{
    /// <summary>
    /// A file of URLs that exists and is a file. A URL typed in its place is a common first try:
    /// <paramref name="urlHint"/> (given the URL) says what to type instead.
    /// </summary>
    public static void RequireListFile(string path, Func<string, string> urlHint)
    {
        if (File.Exists(path)) return;
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a file of URLs (one per line)");
        if (LooksLikeUrl(path)) throw new UsageException($"no such file: {path} ({urlHint(path)})");
        throw new UsageException($"no such file: {path}");
    }

    /// <summary>A folder, or a path where one can be made: not an existing file.</summary>
    public static void RequireFolder(string flag, string path)
    {
        if (File.Exists(path)) throw new UsageException($"{flag} wants a folder, and {path} is a file");
    }

    /// <summary>A file the run writes: not an existing directory.</summary>
    public static void RequireWritableFile(string flag, string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{flag} wants a file, and {path} is a directory");
    }

    /// <summary>
    /// No two of the named files may be one file: writing results over the URL list (or the state
    /// over the results) would destroy the input before a line of it is read. Null paths are not given.
    /// </summary>
    public static void RequireDistinct(params (string Flag, string? Path)[] files)
    {
        var given = files.Where(f => f.Path is not null and not "-").Select(f => (f.Flag, Full: Resolved(f.Path!))).ToList();
        for (int i = 0; i < given.Count; i++)
        {
            for (int j = i + 1; j < given.Count; j++)
            {
                if (string.Equals(given[i].Full, given[j].Full, StringComparison.Ordinal))
                    throw new UsageException($"{given[j].Flag} and {given[i].Flag} are the same file ({given[i].Full}): it would be overwritten");
            }
        }
    }

    /// <summary>The full path, through a symbolic link to the file it names (a link to the list is the list).</summary>
    private static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    private static bool LooksLikeUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
