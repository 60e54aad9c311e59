using System.CommandLine;
using Quiver.Cli.Terminal;
using Quiver.Crawl;
using Quiver.Input;
using Quiver.Output.Warc;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;

namespace Quiver.Cli.Commands;

/// <summary><c>quiver crawl SEED…</c>: a polite, resumable crawl from seed URLs, one result line per URL admitted.</summary>
internal static class CrawlCommand
{
    private static readonly PolitenessOptions Polite = new();
    private static readonly RetryOptions Retry = new();

    public static Command Create()
    {
        var seeds = new Argument<string[]>("seed") { Description = "Seed URLs", Arity = ArgumentArity.ZeroOrMore };
        var seedsFile = new Option<FileInfo?>("--seeds") { Description = "A file of seed URLs, one per line" };
        var depth = new Option<int?>("--depth") { Description = "Most links followed from a seed (default: no limit)" };
        var scope = new Option<string>("--scope") { Description = "Which links to follow", DefaultValueFactory = _ => "host" };
        scope.AcceptOnlyFromAmong("host", "domain", "any");
        var include = new Option<string[]>("--include") { Description = "Follow only URLs matching this regex (repeatable)" };
        var exclude = new Option<string[]>("--exclude") { Description = "Never follow URLs matching this regex (repeatable)" };
        var maxPages = new Option<long?>("--max-pages") { Description = "Most URLs admitted, seeds included (default: no limit)" };
        var output = new Option<string>("--out", "-o") { Description = "Where results go ('-' = stdout)", DefaultValueFactory = _ => "-" };
        var concurrency = new ConcurrencyOptionSet($"Requests in flight across all hosts: a number, or 'auto' (the default: starts at {Polite.Concurrency} and adjusts while the crawl goes)");
        var delay = new Option<double>("--delay") { Description = "Seconds between requests to one host", DefaultValueFactory = _ => Polite.PerHostDelay.TotalSeconds };
        var maxCrawlDelay = new Option<double>("--max-crawl-delay") { Description = "Longest robots.txt Crawl-delay honoured, in seconds", DefaultValueFactory = _ => Polite.MaxCrawlDelay.TotalSeconds };
        var ignoreRobots = new Option<bool>("--ignore-robots") { Description = "Do not fetch or obey robots.txt and robots meta tags" };
        var throttleBackoff = new Option<double>("--throttle-backoff") { Description = "Host-wide backoff after a 429/503 without Retry-After, in seconds (doubles)", DefaultValueFactory = _ => Polite.ThrottleBackoff.TotalSeconds };
        var errorBudget = new Option<int>("--host-error-budget") { Description = "Failed URLs after which the rest of a host is skipped", DefaultValueFactory = _ => Polite.HostErrorBudget };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress and no summary on stderr" };
        var saveBodies = new SaveBodiesOption();

        var retries = new RetryOptionSet(Retry.MaxAttempts);
        var http = new HttpOptionSet(denyPrivate: true);
        http.PerHost.Description = $"Requests at once to one host (default {Polite.PerHostConcurrency})";
        var durable = new StateOptionSet(RunKind.Crawl);
        var command = new Command("crawl", "Crawl from seed URLs: polite per host, retrying, resumable after a crash")
        {
            seeds, seedsFile, depth, scope, include, exclude, maxPages, output, delay, maxCrawlDelay, ignoreRobots,
            throttleBackoff, errorBudget, quiet, saveBodies.Option,
        };
        concurrency.AddTo(command);
        retries.AddTo(command);
        http.AddTo(command);
        durable.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var fetchOptions = http.Read(parse) with { SaveBodiesDirectory = saveBodies.Read(parse) };
            bool resume = parse.GetValue(durable.Resume);
            PolitenessOptions politeness;
            RetryOptions retry;
            var (width, adaptive) = concurrency.Read(parse, autoByDefault: true);
            try
            {
                politeness = new PolitenessOptions
                {
                    Concurrency = width ?? Polite.Concurrency,
                    AdaptiveConcurrency = adaptive is null ? null : adaptive with { InitialWidth = Polite.Concurrency },
                    PerHostConcurrency = parse.GetValue(http.PerHost) ?? Polite.PerHostConcurrency,
                    PerHostDelay = Seconds(parse.GetValue(delay)),
                    MaxCrawlDelay = Seconds(parse.GetValue(maxCrawlDelay)),
                    RespectRobots = !parse.GetValue(ignoreRobots),
                    ThrottleBackoff = Seconds(parse.GetValue(throttleBackoff)),
                    HostErrorBudget = parse.GetValue(errorBudget),
                }.Validate();
                retry = retries.Read(parse);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            // Every flag is checked before a file is opened or created: a usage error leaves nothing behind.
            string outPath = parse.GetValue(output) ?? "-";
            if (outPath != "-") PathChecks.RequireWritableFile("--out", outPath);
            string statePath = durable.StatePath(parse, outPath, Path.GetFullPath("quiver-crawl.state"))!;
            PathChecks.RequireWritableFile("--state", statePath);
            string? warcPath = parse.GetValue(durable.Warc)?.FullName;
            if (warcPath is not null) PathChecks.RequireWritableFile("--warc", warcPath);
            // As typed (FileInfo keeps it), so that a URL given to --seeds is recognised as one.
            string? seedsPath = parse.GetValue(seedsFile)?.ToString();
            CrawlSettings? newSettings = resume ? null : ReadSettings(parse, seeds, seedsPath, depth, scope, include, exclude, maxPages);
            PathChecks.RequireDistinct(("--seeds", seedsPath), ("--out", outPath), ("--state", statePath), ("--warc", warcPath));

            // Declared before what it watches, so it is disposed after them: removes what a crawl that failed at its start created.
            using var created = new CreatedFiles();
            created.Watch(statePath, isState: true);
            created.Watch(outPath);
            created.Watch(warcPath);
            created.WatchFolder(fetchOptions.SaveBodiesDirectory);
            await using var store = durable.Open(parse, statePath);
            CrawlSettings settings;
            try
            {
                settings = store.OpenCrawl(newSettings);
            }
            catch (RunStateException e)
            {
                throw new UsageException(e.Message);
            }
            if (newSettings is null && outPath == "-") outPath = store.RecordedOutput ?? outPath;
            else if (newSettings is not null && outPath != "-") store.RecordOutput(outPath);

            StateOptionSet.OpenOutput(store, outPath, store.Crawl);
            await store.OpenWarcAsync(warcPath, WarcInfo.For(fetchOptions.UserAgent, "quiver crawl"), cancellationToken);
            var statistics = new RunStatistics();
            using var crawler = new Crawler(settings, politeness, retry, fetchOptions, store, statistics);
            created.Started();

            return await ReportedRun.RunAsync("crawl", statistics, !parse.GetValue(quiet), () => crawler.RunAsync(cancellationToken), cancellationToken,
                stopped => $"  state:   {crawler.Committed:N0} URLs committed in {statePath}{(stopped ? " (continue with --resume)" : "")}",
                width: adaptive is null ? null : () => crawler.Width);
        });
        return command;
    }

    /// <summary>The crawl a new run asks for: seeds from the arguments and <c>--seeds</c>, scope and limits.</summary>
    private static CrawlSettings ReadSettings(
        ParseResult parse, Argument<string[]> seeds, string? seedsPath, Option<int?> depth, Option<string> scope,
        Option<string[]> include, Option<string[]> exclude, Option<long?> maxPages)
    {
        var seedList = new List<string>(parse.GetValue(seeds) ?? []);
        if (seedsPath is not null)
        {
            PathChecks.RequireListFile(seedsPath, url => $"--seeds takes a file of URLs; to start from one URL: quiver crawl {url}");
            seedList.AddRange(UrlListReader.Lines(seedsPath));
        }
        try
        {
            return new CrawlSettings
            {
                Seeds = [.. seedList.Select(s => UrlNormalizer.Normalize(s)?.AbsoluteUri ?? s)],
                MaxDepth = parse.GetValue(depth),
                Scope = Enum.Parse<ScopeKind>(parse.GetValue(scope) ?? "host", ignoreCase: true),
                Include = parse.GetValue(include) ?? [],
                Exclude = parse.GetValue(exclude) ?? [],
                MaxPages = parse.GetValue(maxPages),
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static TimeSpan Seconds(double value) =>
        value >= 0 && double.IsFinite(value) ? TimeSpan.FromSeconds(value) : throw new UsageException($"not a number of seconds: {value}");
}
