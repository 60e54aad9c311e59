using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Quiver.Cluster.Silo;
using Quiver.Cluster.Telemetry;
using Quiver.Fetching;

namespace Quiver.Cluster.Cli.Commands;

/// <summary><c>quiver cluster silo --db CONN</c>: one node of the cluster, until Ctrl-C or SIGTERM.</summary>
internal static class SiloCommand
{
    private static readonly ClusterSiloOptions Defaults = new();

    private static IEnumerable<string> ResolveLines(FileInfo? file) =>
        file is null ? []
        : file.Exists ? File.ReadLines(file.FullName).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
        : throw new ArgumentException($"no such file: {file.FullName}");

    public static Command Create()
    {
        var db = CommonOptions.Database();
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight on this node, across its hosts", DefaultValueFactory = _ => Defaults.Concurrency };
        var window = new Option<int>("--host-window") { Description = "URLs each host keeps leased beyond its per-host concurrency", DefaultValueFactory = _ => Defaults.HostWindow };
        var lease = new Option<double>("--lease") { Description = "Seconds a lease lasts before another node may take the URL", DefaultValueFactory = _ => Defaults.LeaseDuration.TotalSeconds };
        var sweep = new Option<double>("--sweep") { Description = "Seconds between looks for hosts with work nobody is doing", DefaultValueFactory = _ => Defaults.SweepInterval.TotalSeconds };
        var address = new Option<string>("--address") { Description = "The address other nodes reach this one at", DefaultValueFactory = _ => "127.0.0.1" };
        var siloPort = new Option<int>("--silo-port") { Description = "Port for node-to-node traffic", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients (crawl/fetch --cluster) connect to", DefaultValueFactory = _ => 30000 };
        var probe = new Option<double>("--probe-timeout") { Description = "Seconds before an unanswered liveness probe counts as missed (a dead node is declared after 3)", DefaultValueFactory = _ => 5 };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics" };
        var otlp = new Option<Uri?>("--otlp") { Description = "Export metrics by OTLP to this endpoint instead (e.g. http://127.0.0.1:4317)" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds for one whole fetch", DefaultValueFactory = _ => new FetchOptions().Timeout.TotalSeconds };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Accept any server certificate (testing only)" };
        var resolve = CommonOptions.Resolve();
        var resolveFile = new Option<FileInfo?>("--resolve-file") { Description = "A file of --resolve values, one a line (quiver sim writes one)" };
        var caCert = new Option<FileInfo?>("--ca-cert") { Description = "A CA certificate (PEM or DER) to trust besides the system's" };
        var command = new Command("silo", "Run one node of the cluster (one per machine)")
        {
            db, concurrency, window, lease, sweep, address, siloPort, gatewayPort, probe, metricsPort, otlp, timeout, insecure, resolve, resolveFile, caCert,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string connection = parse.GetValue(db)!;
            var options = new ClusterSiloOptions
            {
                ConnectionString = connection,
                Concurrency = parse.GetValue(concurrency),
                HostWindow = parse.GetValue(window),
                LeaseDuration = CommonOptions.Seconds(parse.GetValue(lease), "--lease"),
                SweepInterval = CommonOptions.Seconds(parse.GetValue(sweep), "--sweep"),
                Fetch = new FetchOptions
                {
                    Timeout = CommonOptions.Seconds(parse.GetValue(timeout), "--timeout"),
                    Insecure = parse.GetValue(insecure),
                    Resolve = CommonOptions.ParseResolve([.. parse.GetValue(resolve) ?? [], .. ResolveLines(parse.GetValue(resolveFile))]),
                    CaCertificateFile = parse.GetValue(caCert)?.FullName,
                },
            }.Validate();
            if (!IPAddress.TryParse(parse.GetValue(address), out var advertised)) throw new ArgumentException("--address must be an IP address");
            var probeTimeout = CommonOptions.Seconds(parse.GetValue(probe), "--probe-timeout");
            int? prometheus = parse.GetValue(metricsPort);
            var otlpEndpoint = parse.GetValue(otlp);
            if (prometheus is not null && otlpEndpoint is not null) throw new ArgumentException("--metrics-port and --otlp are alternatives: give one");

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // Orleans warns at start-up about settings a crawl node does not want (server GC); errors still show.
            builder.Logging.AddFilter("Orleans", LogLevel.Error);
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(CommonOptions.Ids);
                silo.UsePostgresClustering(connection);
                silo.ConfigureEndpoints(advertised, parse.GetValue(siloPort), parse.GetValue(gatewayPort), listenOnAnyHostAddress: false);
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = probeTimeout;
                    o.TableRefreshTimeout = probeTimeout;
                });
                silo.AddQuiverNode(options);
            });
            if (prometheus is not null || otlpEndpoint is not null)
            {
                builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
                {
                    metrics.AddMeter(ClusterMetrics.MeterName);
                    if (prometheus is { } port)
                        metrics.AddPrometheusHttpListener(o =>
                        {
                            o.Host = "127.0.0.1";
                            o.Port = port;
                        });
                    else
                        metrics.AddOtlpExporter(o => o.Endpoint = otlpEndpoint!);
                });
            }
            using var host = builder.Build();
            await host.StartAsync(cancellationToken);
            Console.Error.WriteLine($"quiver: node up ({advertised}:{parse.GetValue(siloPort)}, gateway {parse.GetValue(gatewayPort)}, {options.Concurrency} in flight)");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: a graceful stop hands the node's hosts on.
            }
            await host.StopAsync(CancellationToken.None);
            return CompanionHost.Ok;
        });
        return command;
    }
}
