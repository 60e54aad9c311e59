using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Quiver.Cli.Race;
using Quiver.Cli.Terminal;
using Quiver.Concurrency;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.Strategies;

namespace Quiver.Cli.Commands;

/// <summary>
/// The hidden <c>quiver race-run</c> verb: one strategy over one list, as <c>quiver race</c> runs it
/// in a process of its own. Prints one line: the wall time of the run, measured around the strategy
/// alone (its process pool included, the runtime's start excluded), the CPU spent over that span
/// (worker processes included), and the process's own peak memory.
/// </summary>
internal static class RaceRunCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("file") { Description = "URL list" };
        var strategy = new Option<string>("--strategy", "-s") { Description = "Concurrency model", Required = true };
        strategy.AcceptOnlyFromAmong([.. Enum.GetValues<StrategyKind>().Select(StrategyOptions.NameOf)]);
        var concurrency = new ConcurrencyOptionSet("Threads, requests in flight, or worker processes; 'auto' for an adaptive async width");
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where the JSON-lines results go", Required = true };
        var warmUp = new Option<string?>("--warm-up") { Description = "A URL fetched once before the clock starts (loads the HTTP and TLS code)" };
        var http = new HttpOptionSet();
        var command = new Command("race-run", "Internal: one strategy run of 'quiver race'") { input, strategy, output, warmUp };
        command.Hidden = true;
        concurrency.AddTo(command);
        http.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var fetchOptions = http.Read(parse);
            StrategyOptions.TryParseKind(parse.GetValue(strategy)!, out var kind);
            // The race's rows keep each model's fixed default; its auto row asks for auto by name.
            var (width, adaptive) = concurrency.Read(parse, autoByDefault: false);
            var strategyOptions = new StrategyOptions { Kind = kind, Concurrency = width, Adaptive = adaptive };
            try
            {
                strategyOptions.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            var file = parse.GetValue(input)!;
            if (!file.Exists) throw new UsageException($"no such file: {file.FullName}");

            var statistics = new RunStatistics();
            await using var source = file.OpenRead();
            await using var sink = new FileStream(parse.GetValue(output)!.FullName, FileMode.Create, FileAccess.Write, FileShare.Read);
            await using var writer = ResultWriters.Create(OutputFormat.JsonLines, sink);

            // The seed timed functions in a warm interpreter: load this process's HTTP and TLS code
            // first with one request outside the list. Worker processes still start cold: that is their model.
            if (parse.GetValue(warmUp) is { } warmUpUrl)
            {
                // Uncounted, so it is not held to the race's client timeout: a cold process's first TLS
                // handshake on a busy two-core machine can take longer than the 2 s a scaled race allows.
                var patient = TimeSpan.FromSeconds(30);
                using var warm = new Fetcher(fetchOptions with
                {
                    Timeout = fetchOptions.Timeout > patient ? fetchOptions.Timeout : patient,
                    ConnectTimeout = fetchOptions.ConnectTimeout > patient ? fetchOptions.ConnectTimeout : patient,
                });
                var result = await warm.FetchAsync(UrlRequest.FromLine(0, warmUpUrl), cancellationToken);
                if (result.Error is { } error) throw new InvalidOperationException($"the warm-up fetch of {warmUpUrl} failed: {error.ToWireName()}: {result.ErrorMessage}");
            }

            // Timed as the seed's decorator timed its functions: from building the pool to its end.
            // CPU over the same span: this process's and its reaped worker processes'.
            double cpuStarted = SpentCpuSeconds();
            long started = Stopwatch.GetTimestamp();
            WidthReport? path;
            using (var fetchStrategy = FetchStrategies.Create(strategyOptions, fetchOptions))
            {
                await FetchRun.RunAsync(UrlListReader.ReadAsync(source, cancellationToken), fetchStrategy, writer, statistics, cancellationToken);
                path = (fetchStrategy as IReportsWidth)?.Width;
            }
            double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double cpu = SpentCpuSeconds() - cpuStarted;
            long peak = ProcessTreeMonitor.PeakOf(Environment.ProcessId) ?? 0;
            int concurrent = strategyOptions.EffectiveConcurrency;
            int inFlight = kind == StrategyKind.AsyncProcesses ? concurrent * strategyOptions.ChunkSize : concurrent;
            // An adaptive run reports the width it ended at and the widest it went (the most in flight).
            if (path is not null) (concurrent, inFlight) = (path.Current, path.Peak);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall={wall:R} peak={peak} concurrency={concurrent} inflight={inFlight} cpu={cpu:R}"));
            if (path is not null) Console.Error.WriteLine(ReportedRun.DescribeWidth(path).Trim());
            return CliHost.Ok;
        });
        return command;
    }

    private static double SpentCpuSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds + (ChildCpuClock.ReapedChildrenSeconds() ?? 0);
}
