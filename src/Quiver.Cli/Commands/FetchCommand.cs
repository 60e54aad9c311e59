using System.CommandLine;
using Quiver.Cli.Terminal;
using Quiver.Concurrency;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.State;
using Quiver.Strategies;

namespace Quiver.Cli.Commands;

/// <summary><c>quiver fetch [FILE|-]</c>: fetch a URL list with one strategy, one result line per input line.</summary>
internal static class FetchCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("file")
        {
            Description = "URL list, one per line ('-' or nothing: stdin)",
            DefaultValueFactory = _ => "-",
        };
        var strategy = new Option<string>("--strategy", "-s")
        {
            Description = "Concurrency model",
            DefaultValueFactory = _ => "async",
        };
        strategy.AcceptOnlyFromAmong([.. Enum.GetValues<StrategyKind>().Select(StrategyOptions.NameOf)]);
        var concurrency = new ConcurrencyOptionSet("Threads, requests in flight, or worker processes; 'auto' (async's default) adjusts requests in flight while the run goes (default: per strategy; see README)");
        var recordConcurrency = new Option<bool>("--record-concurrency")
        {
            Description = "Each record carries 'concurrency': the width in force when its fetch started (async)",
        };
        var chunkSize = new Option<int>("--chunk-size")
        {
            Description = "URLs per chunk handed to an async worker process (async-processes)",
            DefaultValueFactory = _ => StrategyOptions.DefaultChunkSize,
        };
        var extract = new Option<string?>("--extract")
        {
            Description = "Parse each HTML page for: title, links (comma separated)",
        };
        var saveBodies = new SaveBodiesOption();
        var output = new Option<string>("--out", "-o")
        {
            Description = "Where results go ('-' = stdout)",
            DefaultValueFactory = _ => "-",
        };
        var format = new Option<string>("--format")
        {
            Description = "Result format",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "No progress and no summary on stderr",
        };
        var retry = new RetryOptionSet(defaultAttempts: 1);
        var http = new HttpOptionSet();
        var durable = new StateOptionSet(RunKind.Fetch);
        var command = new Command("fetch", "Fetch every URL of a list and write one result per line")
        {
            input, strategy, chunkSize, extract, saveBodies.Option, output, format, quiet, recordConcurrency,
        };
        concurrency.AddTo(command);
        retry.AddTo(command);
        http.AddTo(command);
        durable.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            // Every flag is checked before a file is opened or created: a usage error leaves nothing behind.
            var fetchOptions = http.Read(parse);
            var (title, links) = ParseExtract(parse.GetValue(extract));
            fetchOptions = fetchOptions with
            {
                ExtractTitle = title,
                ExtractLinks = links,
                SaveBodiesDirectory = saveBodies.Read(parse),
                Retry = retry.Read(parse) is { MaxAttempts: > 1 } retries ? retries : null,
            };
            StrategyKind kind = StrategyOptions.TryParseKind(parse.GetValue(strategy)!, out var k) ? k : StrategyKind.Async;
            var (width, adaptive) = concurrency.Read(parse, autoByDefault: StrategyOptions.SupportsAdaptive(kind));
            var strategyOptions = new StrategyOptions
            {
                Kind = kind,
                Concurrency = width,
                Adaptive = adaptive,
                RecordConcurrency = parse.GetValue(recordConcurrency),
                ChunkSize = parse.GetValue(chunkSize),
            };
            // A usage error rather than a notice: whoever asks for 5 at once and gets 1 has measured the wrong thing
            // without knowing it, and a notice on stderr is lost under --quiet or in a script's log.
            if (kind == StrategyKind.Sequential && strategyOptions.Concurrency is { } c && c != 1)
                throw new UsageException($"--concurrency {c} does not apply to the sequential strategy (one URL at a time): drop it, or pick threads, async, processes or async-processes");
            try
            {
                strategyOptions.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            string path = parse.GetValue(input) ?? "-";
            string outPath = parse.GetValue(output) ?? "-";
            if (outPath != "-") PathChecks.RequireWritableFile("--out", outPath);
            if (ResumableFetch.IsRequested(parse, durable))
            {
                return await ResumableFetch.RunAsync(parse, durable, path, outPath,
                    parse.GetValue(format) ?? "jsonl", strategyOptions, fetchOptions, parse.GetValue(quiet), cancellationToken);
            }

            bool fromStdin = path == "-";
            if (!fromStdin) PathChecks.RequireListFile(path, UrlHint);
            PathChecks.RequireDistinct((ListFlag, path), ("--out", outPath));

            using var created = new CreatedFiles();
            created.Watch(outPath);
            created.WatchFolder(fetchOptions.SaveBodiesDirectory);
            await using var source = fromStdin ? Console.OpenStandardInput() : File.OpenRead(path);
            // A progress total costs one pass over a regular file (stdin, a pipe or a FIFO cannot be read
            // twice), so it is counted only when progress is shown.
            bool showProgress = !parse.GetValue(quiet);
            var statistics = new RunStatistics { Total = showProgress && source.CanSeek ? UrlListReader.CountUrls(path) : null };
            await using var sink = outPath == "-" ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.Read);
            await using var writer = ResultWriters.Create(parse.GetValue(format) == "csv" ? OutputFormat.Csv : OutputFormat.JsonLines, sink,
                withConcurrency: strategyOptions.RecordConcurrency);
            using var fetchStrategy = FetchStrategies.Create(strategyOptions, fetchOptions);
            created.Started();

            return await ReportedRun.RunAsync(fetchStrategy.Name, statistics, showProgress,
                () => FetchRun.RunAsync(UrlListReader.ReadAsync(source, cancellationToken), fetchStrategy, writer, statistics, cancellationToken), cancellationToken,
                width: (fetchStrategy as IReportsWidth) is { } adapts ? () => adapts.Width : null);
        });
        return command;
    }

    /// <summary>What "the file" argument is called in messages about two flags naming one file.</summary>
    internal const string ListFlag = "the URL list";

    /// <summary>The hint for a URL given where the list file goes.</summary>
    internal static string UrlHint(string url) => $"fetch takes a file of URLs; to fetch one URL: echo {url} | quiver fetch";

    private static (bool Title, bool Links) ParseExtract(string? value)
    {
        bool title = false, links = false;
        foreach (string part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "title": title = true; break;
                case "links": links = true; break;
                default: throw new UsageException($"--extract knows 'title' and 'links', not '{part}'");
            }
        }
        return (title, links);
    }
}
