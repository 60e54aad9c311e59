using System.Diagnostics;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Strategies;

namespace Quiver.Tests.Infrastructure;

/// <summary>Runs any of the five strategies in a test, with worker processes of the built CLI.</summary>
public static class StrategyRunner
{
    /// <summary>The Quiver.Cli.dll beside the test assembly: what worker processes run.</summary>
    public static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "Quiver.Cli.dll");

    public static WorkerLauncher Worker => WorkerLauncher.ForAssembly(CliAssembly);

    public static TheoryData<string> All => new(Enum.GetValues<StrategyKind>().Select(StrategyOptions.NameOf));

    public static StrategyKind Parse(string name) =>
        StrategyOptions.TryParseKind(name, out var kind) ? kind : throw new ArgumentException(name);

    public static IFetchStrategy Create(StrategyKind kind, FetchOptions options, int? concurrency = null, int chunkSize = 4) =>
        FetchStrategies.Create(new StrategyOptions { Kind = kind, Concurrency = concurrency, ChunkSize = chunkSize, Worker = Worker }, options);

    public static async Task<List<FetchResult>> RunAsync(StrategyKind kind, FetchOptions options, IEnumerable<string> lines, int? concurrency = null, int chunkSize = 4, CancellationToken cancellationToken = default)
    {
        using var strategy = Create(kind, options, concurrency, chunkSize);
        return await CollectAsync(strategy, lines, cancellationToken);
    }

    public static Task<List<FetchResult>> CollectAsync(IFetchStrategy strategy, IEnumerable<string> lines, CancellationToken cancellationToken = default) =>
        CollectAsync(strategy, UrlListReader.FromLines(lines, cancellationToken), cancellationToken);

    public static async Task<List<FetchResult>> CollectAsync(IFetchStrategy strategy, IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken)
    {
        var results = new List<FetchResult>();
        await foreach (var result in strategy.RunAsync(requests, cancellationToken))
            results.Add(result);
        return results;
    }

    /// <summary>Waits (boundedly) for the process to be gone; fails if it is still running.</summary>
    internal static async Task AssertExitedAsync(int pid)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // already gone and reaped
        }
        using (process)
        {
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"worker process {pid} is still running after the run ended");
            }
        }
    }
}
