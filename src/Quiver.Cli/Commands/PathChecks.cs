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
    /// Paths are compared with every symbolic link along them resolved. Hard links are not caught:
    /// that needs each file's device and inode, which .NET does not give and no well-kept package
    /// offers (Tmds.LibC was last released in 2020, Mono.Unix's newest is a 2021 pre-release), and
    /// stat by hand would mean a struct laid out per architecture.
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

    /// <summary>Linux's own limit on symbolic links followed in one path: a loop of links stops here.</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The file the run opens: every symbolic link along the path resolved, folders partway included
    /// (<c>link/out.jsonl</c> with <c>link -> .</c> is <c>./out.jsonl</c>). A file that does not exist
    /// yet keeps its name under its resolved folder. By hand, as realpath(3) does it: .NET has no
    /// realpath, and <see cref="FileSystemInfo.ResolveLinkTarget"/> resolves only the last name.
    /// </summary>
    private static string Resolved(string path)
    {
        // Full path first, as every .NET file API makes it (a ".." typed by the user folds away as text);
        // a ".." inside a link's target is the system's, and goes up from where the link resolved to.
        string absolute = Path.GetFullPath(path);
        string resolved = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>();
        PushNames(pending, absolute[resolved.Length..]);
        int links = 0;
        while (pending.TryPop(out string? name))
        {
            if (name == ".") continue;
            if (name == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }
            string next = Path.Join(resolved, name);
            string? target = links < MaxLinks ? LinkTarget(next) : null;
            if (target is null)
            {
                resolved = next;
                continue;
            }
            links++;
            if (Path.IsPathRooted(target)) resolved = Path.GetPathRoot(target)!;
            PushNames(pending, target);
        }
        return resolved;
    }

    /// <summary>Pushes the names of <paramref name="path"/> so that the first pops first.</summary>
    private static void PushNames(Stack<string> pending, string path)
    {
        string[] names = path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = names.Length - 1; i >= 0; i--) pending.Push(names[i]);
    }

    /// <summary>What the symbolic link at <paramref name="path"/> points to, as written; null for anything else, or nothing.</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool LooksLikeUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
