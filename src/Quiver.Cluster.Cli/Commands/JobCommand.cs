using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Quiver.Cluster.Client;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Silo;
using Quiver.Crawl;

namespace Quiver.Cluster.Cli.Commands;

/// <summary>
/// <c>quiver crawl --cluster CONN SEED…</c> and <c>quiver fetch --cluster CONN LIST</c>: submit a job
/// to the cluster (or re-attach to it with --resume), show its progress, and write its results as
/// JSON lines, each URL once.
/// </summary>
internal static class JobCommand
{
    private static readonly JobSpec Defaults = new();
    private static readonly TimeSpan NoNodeTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(JobKind kind)
    {
        bool crawl = kind == JobKind.Crawl;
        var cluster = CommonOptions.Database("--cluster");
        var inputs = new Argument<string[]>(crawl ? "seed" : "list") { Description = crawl ? "Seed URLs" : "A file of URLs, one a line ('-' = stdin)", Arity = crawl ? ArgumentArity.OneOrMore : ArgumentArity.ExactlyOne };
        var output = new Option<string>("--out", "-o") { Description = "The JSON-lines results file", Required = true };
        var job = new Option<string?>("--job") { Description = "The job's name, to re-attach to it (default: the output file's full path)" };
        var resume = new Option<bool>("--resume") { Description = "Re-attach to the job of this name instead of submitting it" };
        var depth = new Option<int?>("--depth") { Description = "Most links followed from a seed (default: no limit)" };
        var scope = new Option<string>("--scope") { Description = "Which links to follow; 'domain' also paces each registrable domain as one host", DefaultValueFactory = _ => "host" };
        scope.AcceptOnlyFromAmong("host", "domain", "any");
        var delay = new Option<double>("--delay") { Description = "Seconds between requests to one host", DefaultValueFactory = _ => crawl ? Defaults.PerHostDelayMs / 1000.0 : 0 };
        var perHost = new Option<int>("--per-host") { Description = "Requests at once to one host", DefaultValueFactory = _ => crawl ? Defaults.PerHostConcurrency : 8 };
        var ignoreRobots = new Option<bool>("--ignore-robots") { Description = "Do not fetch or obey robots.txt" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress on stderr" };
        var command = new Command(crawl ? "crawl" : "fetch", crawl ? "Crawl from seed URLs on the cluster" : "Fetch a URL list on the cluster")
        {
            inputs, cluster, output, job, resume, delay, perHost, quiet,
        };
        if (crawl)
        {
            command.Add(depth);
            command.Add(scope);
            command.Add(ignoreRobots);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            string connection = parse.GetValue(cluster)!;
            string path = Path.GetFullPath(parse.GetValue(output)!);
            string scopeName = parse.GetValue(scope)!;
            var spec = new JobSpec
            {
                Kind = kind,
                Crawl = new CrawlSettings
                {
                    Seeds = crawl ? parse.GetValue(inputs)! : [],
                    MaxDepth = parse.GetValue(depth),
                    Scope = scopeName switch { "domain" => ScopeKind.Domain, "any" => ScopeKind.Any, _ => ScopeKind.Host },
                },
                GrainScope = crawl && scopeName == "domain" ? GrainScope.Domain : GrainScope.Host,
                PerHostDelayMs = (int)CommonOptions.Seconds(parse.GetValue(delay), "--delay").TotalMilliseconds,
                PerHostConcurrency = parse.GetValue(perHost),
                RespectRobots = crawl && !parse.GetValue(ignoreRobots),
            }.Validate();
            string? list = crawl ? null : parse.GetValue(inputs)![0];
            if (list is not null && list != "-" && !File.Exists(list)) throw new ArgumentException($"no such file: {list}");

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // Orleans warns at start-up about settings a crawl node does not want (server GC); errors still show.
            builder.Logging.AddFilter("Orleans", LogLevel.Error);
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(CommonOptions.Ids);
                client.UsePostgresClustering(connection);
                // With no node up, say so instead of waiting for one for ever.
                var giveUp = DateTime.UtcNow + NoNodeTimeout;
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(DateTime.UtcNow < giveUp));
            });
            using var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"quiver: no cluster node answered within {NoNodeTimeout.TotalSeconds:0} s (start one with 'quiver cluster silo --db …'): {e.Message}");
                return CompanionHost.RunFailed;
            }
            await using var dataSource = NpgsqlDataSource.Create(connection);
            await using var listStream = list is null ? null : list == "-" ? Console.OpenStandardInput() : File.OpenRead(list);
            var runner = new ClusterJobRunner(dataSource, host.Services.GetRequiredService<IClusterClient>());
            bool showProgress = !parse.GetValue(quiet);
            var progress = new Progress<JobProgress>(p =>
            {
                if (showProgress) Console.Error.Write($"\rquiver: {p.Done}/{p.Admitted} done, {p.Leased} leased   ");
            });
            var outcome = await runner.RunAsync(new ClusterJobRequest
            {
                Name = parse.GetValue(job) ?? path,
                Spec = spec,
                List = listStream,
                OutputPath = path,
                Resume = parse.GetValue(resume),
            }, progress, cancellationToken);
            if (showProgress)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine($"quiver: job {outcome.Job}: {outcome.Written} results in {outcome.Elapsed.TotalSeconds:0.0} s ({outcome.Written / Math.Max(outcome.Elapsed.TotalSeconds, 1e-9):0.0}/s)");
            }
            await host.StopAsync(CancellationToken.None);
            return CompanionHost.Ok;
        });
        return command;
    }
}
