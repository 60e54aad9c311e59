using System.Globalization;
using Quiver.Output;
using Quiver.Output.Warc;

namespace Quiver.State;

/// <summary>
/// Everything that makes a run resumable, in one place: the state file (opened new, or resumed after
/// the check that it exists and serves this kind of run), the results file (created, or repaired
/// against the committed results and appended to), the WARC (created, or cut back to its committed
/// length and continued), what the run recorded (its input, output and WARC paths), and the one
/// commit: flush the results, flush the WARC, then commit the state. A list fetch
/// (<c>ResumableFetchRun</c>) and a crawl (<c>Crawler</c>) both run on it.
/// </summary>
/// <remarks>
/// Output before state is what makes a kill safe at any instant: a result committed is always in the
/// output, and one in the output but not committed is dropped by the repair and done again.
/// </remarks>
public sealed class RunStore : IAsyncDisposable
{
    private readonly bool _ownsParts;
    private Stream? _sink;
    private JsonLinesResultWriter? _writer;

    private RunStore(StateDatabase database, string path, bool resuming, bool ownsParts)
    {
        Database = database;
        Path = path;
        Resuming = resuming;
        _ownsParts = ownsParts;
        Progress = new FetchProgress(database);
        Crawl = new CrawlState(database);
    }

    /// <summary>The state file's path (<c>:memory:</c> for a run that keeps no state).</summary>
    public string Path { get; }

    /// <summary>True when the run continues one recorded in the state file.</summary>
    public bool Resuming { get; }

    public StateDatabase Database { get; }

    /// <summary>The lines a list fetch has done.</summary>
    public FetchProgress Progress { get; }

    /// <summary>A crawl's frontier and results.</summary>
    public CrawlState Crawl { get; }

    /// <summary>Where results are written; set by <see cref="OpenOutput"/> or <see cref="UseOutput"/>.</summary>
    public JsonLinesResultWriter Writer => _writer ?? throw new InvalidOperationException("the run's output is not open: call OpenOutput or UseOutput first");

    /// <summary>The WARC the run records responses to, once <see cref="OpenWarcAsync"/> opened one.</summary>
    public WarcWriter? Warc { get; private set; }

    /// <summary>The input list a fetch recorded, or null.</summary>
    public string? RecordedInput => Database.GetMeta(MetaKeys.Input);

    /// <summary>The results file the run recorded, or null (it wrote to standard output).</summary>
    public string? RecordedOutput => Database.GetMeta(MetaKeys.Output);

    /// <summary>
    /// Opens the state file at <paramref name="path"/>: on a resume it must exist and belong to a run of
    /// <paramref name="kind"/>; on a new run it must not exist, so that a finished or interrupted run
    /// is never overwritten by accident.
    /// </summary>
    /// <exception cref="RunStateException">The file cannot serve this run; the message says why.</exception>
    public static RunStore Open(string path, RunKind kind, bool resume)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (resume && !File.Exists(path))
            throw new RunStateException($"no state file to resume at {path}");
        if (!resume && File.Exists(path))
            throw new RunStateException($"state file {path} exists: add --resume to continue that run, or delete it to start over");
        var database = StateDatabase.Open(path);
        string mode = kind == RunKind.Crawl ? "crawl" : "fetch";
        string? recorded = database.GetMeta(MetaKeys.Mode);
        if (recorded is null)
        {
            database.SetMeta(MetaKeys.Mode, mode);
        }
        else if (recorded != mode)
        {
            database.Dispose();
            throw new RunStateException($"{path} is the state of a '{recorded}' run, not a '{mode}' run");
        }
        return new RunStore(database, path, resume, ownsParts: true);
    }

    /// <summary>A store that keeps no state between runs (an in-memory state file): a plain run that still commits, as a fetch that only writes a WARC.</summary>
    public static RunStore InMemory() => new(StateDatabase.Open(":memory:"), ":memory:", resuming: false, ownsParts: true);

    /// <summary>A store over parts its caller owns and disposes: the state, the results writer and the WARC.</summary>
    internal static RunStore Over(StateDatabase database, JsonLinesResultWriter writer, WarcWriter? warc) =>
        new(database, ":memory:", resuming: false, ownsParts: false) { _writer = writer, Warc = warc };

    /// <summary>Records the input list's full path, so a resume can find it.</summary>
    public void RecordInput(string path) => Database.SetMeta(MetaKeys.Input, System.IO.Path.GetFullPath(path));

    /// <summary>Records the results file's full path, so a resume to standard output can find it.</summary>
    public void RecordOutput(string path) => Database.SetMeta(MetaKeys.Output, System.IO.Path.GetFullPath(path));

    /// <summary>The crawl's settings as JSON, recorded by a new crawl; null when none were.</summary>
    internal string? RecordedCrawlSettings => Database.GetMeta(MetaKeys.CrawlSettings);

    internal void RecordCrawlSettings(string json) => Database.SetMeta(MetaKeys.CrawlSettings, json);

    /// <summary>
    /// Opens the results file: a new run replaces it; a resume repairs it against the committed
    /// results of <paramref name="committed"/> (the run's <see cref="Progress"/> or <see cref="Crawl"/>) and appends.
    /// </summary>
    /// <returns>What the repair did; null when there was none (a new run).</returns>
    public JsonLinesRepair.Outcome? OpenOutput(string path, ICommittedResults committed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(committed);
        JsonLinesRepair.Outcome? outcome = null;
        if (Resuming)
        {
            outcome = JsonLinesRepair.Repair(path, committed);
            _sink = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        }
        else
        {
            _sink = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        _writer = new JsonLinesResultWriter(_sink);
        return outcome;
    }

    /// <summary>Writes results to <paramref name="stream"/> (standard output): it cannot be repaired, so a resume only adds the new results.</summary>
    public void UseOutput(Stream stream)
    {
        _sink = stream ?? throw new ArgumentNullException(nameof(stream));
        _writer = new JsonLinesResultWriter(stream);
    }

    /// <summary>
    /// Opens the WARC at <paramref name="path"/>, or on a resume without one the WARC the run recorded:
    /// new, or when resuming cut back to its last committed length and continued. Does nothing when
    /// there is neither.
    /// </summary>
    public async Task<WarcWriter?> OpenWarcAsync(string? path, IEnumerable<KeyValuePair<string, string>> info, CancellationToken cancellationToken)
    {
        path ??= Resuming ? Database.GetMeta(MetaKeys.Warc) : null;
        if (path is null) return null;
        Database.SetMeta(MetaKeys.Warc, path);
        if (Resuming && File.Exists(path)
            && long.TryParse(Database.GetMeta(MetaKeys.WarcLength), NumberStyles.None, CultureInfo.InvariantCulture, out long committed) && committed > 0)
        {
            Warc = WarcWriter.Continue(path, committed);
        }
        else
        {
            Warc = await WarcWriter.CreateAsync(path, info, cancellationToken).ConfigureAwait(false);
        }
        return Warc;
    }

    /// <summary>
    /// The one commit: flushes the results, then the WARC, then runs <paramref name="commitState"/>
    /// (one state transaction, given the WARC's length to record with it), so a committed result is
    /// always already in the output.
    /// </summary>
    /// <remarks>Takes no cancellation token on purpose: what was written is committed even while the run is being stopped.</remarks>
    public async ValueTask CommitAsync(Action<long?> commitState)
    {
        ArgumentNullException.ThrowIfNull(commitState);
        await Writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        long? warcLength = Warc is null ? null : await Warc.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        commitState(warcLength);
    }

    /// <summary>Records that the run reached its end.</summary>
    public void Finish() => Database.SetMeta(MetaKeys.Finished, "1");

    public async ValueTask DisposeAsync()
    {
        if (!_ownsParts) return;
        if (Warc is not null) await Warc.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        if (_sink is not null) await _sink.DisposeAsync().ConfigureAwait(false);
        Database.Dispose();
    }
}
