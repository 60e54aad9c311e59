using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Quiver.SimWeb;

namespace Quiver.Cli.Commands;

/// <summary><c>quiver sim</c>: serve the simulated web of the top 500 sites until stopped.</summary>
internal static class SimCommand
{
    /// <summary>The line a parent process waits for before it sends requests.</summary>
    public const string ReadyLine = "quiver sim: ready";

    public static Command Create()
    {
        var sim = new SimOptionSet(defaultTimeScale: 1.0);
        var address = new Option<string>("--address")
        {
            Description = "Loopback address to listen on (127.x.y.z); the next address stays silent for refusing sites",
            DefaultValueFactory = _ => SimWebOptions.DefaultAddress.ToString(),
        };
        var directory = new Option<DirectoryInfo>("--dir")
        {
            Description = "Where the CA certificate, the resolve mapping and the URL lists are written",
            DefaultValueFactory = _ => new DirectoryInfo("sim-web"),
        };
        var command = new Command("sim", "Serve an offline simulated web of the top 500 sites (HTTP/1.1, HTTP/2, HTTPS)")
        {
            address, directory,
        };
        sim.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(address), out var ip)) throw new UsageException($"--address wants an IPv4 loopback address, got '{parse.GetValue(address)}'");
            var options = sim.Read(parse, ip);
            var world = SimWorld.FromTopSites(options);
            using var authority = CertificateAuthority.Create();

            SimWebServer server;
            try
            {
                server = await SimWebServer.StartAsync(world, authority, cancellationToken);
            }
            catch (IOException e)
            {
                throw new UsageException($"cannot listen on {ip} ports {options.HttpPort} and {options.HttpsPort}: {e.Message} ({BindHint(e)})");
            }
            await using (server)
            {
                // Written once the ports are ours: a sim that cannot listen leaves no folder behind.
                var files = SimWebFiles.Write(world, authority, parse.GetValue(directory)!.FullName);
                var first = world.Sites[0];
                string firstHttps = world.Url(Uri.UriSchemeHttps, first.HostNames.Last()).AbsoluteUri;
                var output = Console.Out;
                output.WriteLine($"quiver sim: {world.Sites.Count} sites (seed {options.Seed}, time scale {options.TimeScale:0.###}) on {ip}: http port {options.HttpPort}, https port {options.HttpsPort} (HTTP/1.1 and HTTP/2)");
                output.WriteLine($"  CA certificate:  {files.CaCertificate}");
                output.WriteLine($"  resolve mapping: {files.ResolveFile}  (HOST:PORT:ADDRESS: quiver fetch --resolve-file; each line is a curl --resolve value)");
                output.WriteLine($"  curl config:     {files.CurlConfig}  (curl -K: the CA and every mapping)");
                output.WriteLine($"  URL lists:       {files.Top10}, {files.Top500}");
                output.WriteLine($"  try:             curl --cacert {files.CaCertificate} --resolve {first.HostNames.Last()}:{options.HttpsPort}:{ip} {firstHttps}");
                output.WriteLine($"{ReadyLine} (Ctrl-C stops)");
                output.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C or SIGTERM: stop serving.
                }
            }
            return CliHost.Ok;
        });
        return command;
    }

    /// <summary>What to do about a failed bind: the cause decides, since "need root" misleads when another process holds the port.</summary>
    private static string BindHint(IOException e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause.GetType().Name == "AddressInUseException" || cause is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                return "the port is in use by another process: stop it, or pick free ports with --http-port and --https-port";
            if (cause is SocketException { SocketErrorCode: SocketError.AccessDenied })
                return "ports below 1024 need root or CAP_NET_BIND_SERVICE; try --http-port 8080 --https-port 8443";
        }
        return "try other ports with --http-port and --https-port";
    }
}
