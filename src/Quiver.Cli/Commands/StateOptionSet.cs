using System.CommandLine;
using Quiver.State;

namespace Quiver.Cli.Commands;

/// <summary>The flags of a resumable run (<c>--state</c>, <c>--resume</c>, <c>--warc</c>), mapped onto the library's <see cref="RunStore"/>.</summary>
internal sealed class StateOptionSet(RunKind kind)
{
    // What the code does: a crawl always keeps a state file (the fallback of StatePath); a list
    // fetch keeps one only when --state is given (ResumableFetch), as docs/crawl.md says.
    public Option<FileInfo?> State { get; } = new("--state")
    {
        Description = kind == RunKind.Crawl
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

    /// <summary>Opens the run's state file; a file that cannot serve the run is a usage error.</summary>
    public RunStore Open(ParseResult parse, string path)
    {
        try
        {
            return RunStore.Open(path, kind, parse.GetValue(Resume));
        }
        catch (RunStateException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Opens the results file (standard output for "-") and says on stderr what a resume's repair did.</summary>
    public static void OpenOutput(RunStore store, string output, ICommittedResults committed)
    {
        if (output == "-")
        {
            store.UseOutput(Console.OpenStandardOutput());
            return;
        }
        if (store.OpenOutput(output, committed) is { } outcome && (outcome.Dropped > 0 || outcome.Added > 0 || outcome.TornLineCut))
            Console.Error.WriteLine($"quiver: repaired {output}: kept {outcome.Kept:N0}, dropped {outcome.Dropped:N0} uncommitted{(outcome.TornLineCut ? " (one torn)" : "")}, restored {outcome.Added:N0}");
    }
}
