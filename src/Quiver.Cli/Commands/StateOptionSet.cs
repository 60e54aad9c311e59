using System.CommandLine;
using System.Globalization;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.State;

namespace Quiver.Cli.Commands;

/// <summary>The flags of a resumable run (<c>--state</c>, <c>--resume</c>, <c>--warc</c>) and the opening of what they name.</summary>
internal sealed class StateOptionSet(string mode)
{
    // What the code does: a crawl always keeps a state file (the fallback of StatePath); a list
    // fetch keeps one only when --state is given (ResumableFetch), as docs/crawl.md says.
    public Option<FileInfo?> State { get; } = new("--state")
    {
        Description = mode == "crawl"
            ? "SQLite state file that makes the crawl resumable (default: OUT.state beside --out, or ./quiver-crawl.state with stdout)"
            : "SQLite state file that makes the fetch resumable (without it a fetch keeps no state and cannot be resumed)",
    };

    public Option<bool> Resume { get; } = new("--resume")
    {
        Description = "Continue the run recorded in the state file, after Ctrl-C or a crash",
    };

    public Option<FileInfo?> Warc { get; } = new("--warc")
    {
        Description = "Also write every request and response to this WARC/1.1 file (gzip per record)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(State);
        command.Options.Add(Resume);
        command.Options.Add(Warc);
    }

    /// <summary>The state file to use: <c>--state</c>, else OUT.state beside a file output, else <paramref name="fallback"/>.</summary>
    public string? StatePath(ParseResult parse, string output, string? fallback) =>
        parse.GetValue(State)?.FullName ?? (output != "-" ? Path.GetFullPath(output) + ".state" : fallback);

    /// <summary>
    /// Opens the state file: on a resume it must exist and belong to this kind of run; on a new run it
    /// must not exist, so that a finished or interrupted run is never overwritten by accident.
    /// </summary>
    public StateDatabase Open(ParseResult parse, string path)
    {
        bool resume = parse.GetValue(Resume);
        if (resume && !File.Exists(path))
            throw new UsageException($"no state file to resume at {path}");
        if (!resume && File.Exists(path))
            throw new UsageException($"state file {path} exists: add --resume to continue that run, or delete it to start over");
        var database = StateDatabase.Open(path);
        string? recorded = database.GetMeta(MetaKeys.Mode);
        if (recorded is null)
        {
            database.SetMeta(MetaKeys.Mode, mode);
        }
        else if (recorded != mode)
        {
            database.Dispose();
            throw new UsageException($"{path} is the state of a '{recorded}' run, not a '{mode}' run");
        }
        return database;
    }

    /// <summary>
    /// Opens the results file: a new run replaces it; a resume repairs it against the committed results
    /// and appends. Standard output cannot be repaired, so a resume there only adds the new results.
    /// </summary>
    public static Stream OpenOutput(string output, bool resume, ICommittedResults committed)
    {
        if (output == "-") return Console.OpenStandardOutput();
        if (resume)
        {
            var outcome = JsonLinesRepair.Repair(output, committed);
            if (outcome.Dropped > 0 || outcome.Added > 0 || outcome.TornLineCut)
                Console.Error.WriteLine($"quiver: repaired {output}: kept {outcome.Kept:N0}, dropped {outcome.Dropped:N0} uncommitted{(outcome.TornLineCut ? " (one torn)" : "")}, restored {outcome.Added:N0}");
            return new FileStream(output, FileMode.Append, FileAccess.Write, FileShare.Read);
        }
        return new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read);
    }

    /// <summary>Opens the WARC file named on the command line or recorded in the state: new, or cut back to its last committed length.</summary>
    public async Task<WarcWriter?> OpenWarcAsync(ParseResult parse, StateDatabase state, IEnumerable<KeyValuePair<string, string>> info, CancellationToken cancellationToken)
    {
        string? path = parse.GetValue(Warc)?.FullName ?? (parse.GetValue(Resume) ? state.GetMeta(MetaKeys.Warc) : null);
        if (path is null) return null;
        state.SetMeta(MetaKeys.Warc, path);
        if (parse.GetValue(Resume) && File.Exists(path)
            && long.TryParse(state.GetMeta(MetaKeys.WarcLength), NumberStyles.None, CultureInfo.InvariantCulture, out long committed) && committed > 0)
        {
            return WarcWriter.Continue(path, committed);
        }
        return await WarcWriter.CreateAsync(path, info, cancellationToken);
    }

    /// <summary>The warcinfo fields Quiver writes.</summary>
    public static IEnumerable<KeyValuePair<string, string>> WarcInfo(string userAgent, string command) =>
    [
        new("software", Fetching.FetchOptions.Product),
        new("format", "WARC File Format 1.1"),
        new("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        new("http-header-user-agent", userAgent),
        new("description", $"quiver {command}"),
    ];
}
