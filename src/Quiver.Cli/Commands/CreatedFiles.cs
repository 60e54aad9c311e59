namespace Quiver.Cli.Commands;

/// <summary>
/// The files a run is about to create (state, results, WARC), and the folder it may make for saved
/// bodies. Disposed before <see cref="Started"/> was called, that is when the run fails at its start,
/// it deletes the files that did not exist before, so that the corrected command is not refused with
/// "state file exists", and then the folders that did not exist before and are still empty. A file or
/// folder that existed before the run is never touched. Declare it before the resources that write
/// those files, so that it is disposed after they are closed.
/// </summary>
internal sealed class CreatedFiles : IDisposable
{
    /// <summary>SQLite's write-ahead log and shared-memory files sit beside a state file.</summary>
    private static readonly string[] StateCompanions = ["-wal", "-shm", "-journal"];

    private readonly List<string> _new = [];
    private readonly List<string> _newFolders = [];
    private bool _started;

    /// <summary>
    /// Remembers <paramref name="path"/> if it does not exist yet; a new state file also with its SQLite
    /// companions (those of an existing state file belong to it and are never watched).
    /// </summary>
    public void Watch(string? path, bool isState = false)
    {
        if (path is null or "-" or ":memory:") return;
        string full = Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full)) return;
        _new.Add(full);
        if (isState) _new.AddRange(StateCompanions.Select(suffix => full + suffix).Where(c => !File.Exists(c)));
    }

    /// <summary>
    /// Remembers the folder <paramref name="path"/> if it does not exist yet, with each missing folder
    /// above it (making a folder makes its parents), deepest first.
    /// </summary>
    public void WatchFolder(string? path)
    {
        if (path is null) return;
        for (string? folder = Path.GetFullPath(path); folder is not null && !Directory.Exists(folder) && !File.Exists(folder); folder = Path.GetDirectoryName(folder))
            _newFolders.Add(folder);
    }

    /// <summary>The run has begun: from here on its files are kept, whatever happens (they make it resumable).</summary>
    public void Started() => _started = true;

    public void Dispose()
    {
        if (_started) return;
        foreach (string path in _new)
        {
            BestEffort(() =>
            {
                if (File.Exists(path)) File.Delete(path);
            });
        }
        // After the files, which may sit in them; a folder that holds anything is kept, whoever put it there.
        foreach (string folder in _newFolders)
        {
            BestEffort(() =>
            {
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            });
        }
    }

    /// <summary>Best effort: the failure that brought us here is the one to report.</summary>
    private static void BestEffort(Action remove)
    {
        try
        {
            remove();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
