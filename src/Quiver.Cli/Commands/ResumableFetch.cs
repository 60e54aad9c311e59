using System.CommandLine;
using Quiver.Cli.Terminal;
using Quiver.Concurrency;
using Quiver.Fetching;
using Quiver.Handlers;
using Quiver.Input;
using Quiver.Output.Warc;
using Quiver.Running;
using Quiver.State;
using Quiver.Strategies;

namespace Quiver.Cli.Commands;

/// <summary><c>quiver fetch</c> with <c>--state</c>, <c>--resume</c> or <c>--warc</c>: the list fetch made resumable.</summary>
internal static class ResumableFetch
{
    public static bool IsRequested(ParseResult parse, StateOptionSet durable) =>
        parse.GetValue(durable.State) is not null || parse.GetValue(durable.Resume) || parse.GetValue(durable.Warc) is not null;

    public static async Task<int> RunAsync(
        ParseResult parse, StateOptionSet durable, string input, string output, string format,
        StrategyOptions strategyOptions, FetchOptions fetchOptions, bool quiet, CancellationToken cancellationToken)
    {
        bool resume = parse.GetValue(durable.Resume);
        if (format != "jsonl") throw new UsageException("--state, --resume and --warc write JSON lines: drop --format csv");
        if (parse.GetValue(durable.Warc) is not null && strategyOptions.Kind is StrategyKind.Processes or StrategyKind.AsyncProcesses)
            throw new UsageException("--warc records responses in-process: use the sequential, threads or async strategy");

        bool wantsState = resume || parse.GetValue(durable.State) is not null;
        string? statePath = wantsState ? durable.StatePath(parse, output, null) : null;
        if (wantsState && statePath is null)
            throw new UsageException("a resumable fetch needs --state FILE or --out FILE (its state goes to FILE.state)");
        if (statePath is not null) PathChecks.RequireWritableFile("--state", statePath);
        string? warcPath = parse.GetValue(durable.Warc)?.FullName;
        if (warcPath is not null) PathChecks.RequireWritableFile("--warc", warcPath);
        // A resume may take its list from the state file; a new run names it now, and it is checked before anything is created.
        if (!resume) RequireInput(input, wantsState);
        PathChecks.RequireDistinct((FetchCommand.ListFlag, input), ("--out", output), ("--state", statePath), ("--warc", warcPath));

        // Declared before what it watches, so it is disposed after them: removes what a run that failed at its start created.
        using var created = new CreatedFiles();
        created.Watch(statePath, isState: true);
        created.Watch(output);
        created.Watch(warcPath);
        created.WatchFolder(fetchOptions.SaveBodiesDirectory);
        // Without a state file, --warc alone is a plain run that also writes a WARC: keep it in memory.
        await using var store = statePath is null ? RunStore.InMemory() : durable.Open(parse, statePath);
        if (resume)
        {
            input = input == "-" ? store.RecordedInput ?? input : input;
            output = output == "-" ? store.RecordedOutput ?? output : output;
            RequireInput(input, wantsState);
            PathChecks.RequireDistinct((FetchCommand.ListFlag, input), ("--out", output), ("--state", statePath), ("--warc", warcPath));
        }
        if (input != "-") store.RecordInput(input);
        if (output != "-") store.RecordOutput(output);

        var progress = store.Progress;
        StateOptionSet.OpenOutput(store, output, progress);
        var warc = await store.OpenWarcAsync(warcPath, WarcInfo.For(fetchOptions.UserAgent, "quiver fetch"), cancellationToken);
        IResponseHandler[] handlers = warc is null ? [] : [new WarcRecorder(warc)];
        using var fetchStrategy = FetchStrategies.Create(strategyOptions, fetchOptions, handlers);

        bool showProgress = !quiet;
        // A progress total costs a pass over the file (and a count of the lines already done): only when progress is shown.
        var statistics = new RunStatistics
        {
            Total = showProgress && input != "-" ? UrlListReader.CountUrls(input) - (resume ? progress.CompletedCount() : 0) : null,
        };
        await using var source = input == "-" ? Console.OpenStandardInput() : File.OpenRead(input);
        created.Started();
        return await ReportedRun.RunAsync(fetchStrategy.Name, statistics, showProgress,
            () => ResumableFetchRun.RunAsync(UrlListReader.ReadAsync(source, cancellationToken), fetchStrategy, store, statistics, cancellationToken), cancellationToken,
            width: (fetchStrategy as IReportsWidth) is { } adapts ? () => adapts.Width : null);
    }

    private static void RequireInput(string input, bool wantsState)
    {
        if (input == "-" && wantsState) throw new UsageException("a resumable fetch reads its list from a file, not stdin");
        if (input != "-") PathChecks.RequireListFile(input, FetchCommand.UrlHint);
    }
}
