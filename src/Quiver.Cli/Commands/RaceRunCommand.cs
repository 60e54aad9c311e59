using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Quiver.Cli.Race;
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
        var concurrency = new Option<int?>("--concurrency", "-c") { Description = "Threads, requests in flight, or worker processes" };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where the JSON-lines results go", Required = true };
        var warmUp = new Option<string?>("--warm-up") { Description = "A URL fetched once before the clock starts (loads the HTTP and TLS code)" };
        var http = new HttpOptionSet();
        var command = new Command("race-run", "Internal: one strategy run of 'quiver race'") { input, strategy, concurrency, output, warmUp };
        command.Hidden = true;
        http.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var fetchOptions = http.Read(parse);
            StrategyOptions.TryParseKind(parse.GetValue(strategy)!, out var kind);
            var strategyOptions = new StrategyOptions { Kind = kind, Concurrency = parse.GetValue(concurrency) };
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
                using var warm = new Fetcher(fetchOptions);
                var result = await warm.FetchAsync(UrlRequest.FromLine(0, warmUpUrl), cancellationToken);
                if (result.Error is { } error) throw new InvalidOperationException($"the warm-up fetch of {warmUpUrl} failed: {error.ToWireName()}: {result.ErrorMessage}");
            }

            // Timed as the seed's decorator timed its functions: from building the pool to its end.
            // CPU over the same span: this process's and its reaped worker processes'.
            double cpuStarted = SpentCpuSeconds();
            long started = Stopwatch.GetTimestamp();
            using (var fetchStrategy = FetchStrategies.Create(strategyOptions, fetchOptions))
            {
                await FetchRun.RunAsync(UrlListReader.ReadAsync(source, cancellationToken), fetchStrategy, writer, statistics, cancellationToken);
            }
            double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double cpu = SpentCpuSeconds() - cpuStarted;
            long peak = ProcessTreeMonitor.PeakOf(Environment.ProcessId) ?? 0;
            int concurrent = strategyOptions.EffectiveConcurrency;
            int inFlight = kind == StrategyKind.AsyncProcesses ? concurrent * strategyOptions.ChunkSize : concurrent;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall={wall:R} peak={peak} concurrency={concurrent} inflight={inFlight} cpu={cpu:R}"));
            return CliHost.Ok;
        });
        return command;
    }

    private static double SpentCpuSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds + (ChildCpuClock.ReapedChildrenSeconds() ?? 0);
}
