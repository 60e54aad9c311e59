namespace Quiver.Cli.Commands;

/// <summary>
/// The files a run is about to create (state, results, WARC). Disposed before <see cref="Started"/>
/// was called, that is when the run fails at its start, it deletes those that did not exist
/// before, so that the corrected command is not refused with "state file exists". A file that
/// existed before the run is never touched. Declare it before the resources that write those
/// files, so that it is disposed after they are closed.
/// </summary>
internal sealed class CreatedFiles : IDisposable
{
    /// <summary>SQLite's write-ahead log and shared-memory files sit beside a state file.</summary>
    private static readonly string[] StateCompanions = ["-wal", "-shm", "-journal"];

    private readonly List<string> _new = [];
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

    /// <summary>The run has begun: from here on its files are kept, whatever happens (they make it resumable).</summary>
    public void Started() => _started = true;

    public void Dispose()
    {
        if (_started) return;
        foreach (string path in _new)
        {
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: the failure that brought us here is the one to report.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }
}
