using System.Net;
using Quiver.SimWeb;

namespace Quiver.Tests.SimWeb;

/// <summary>
/// A sim in the test process on ports 80 and 443 of a loopback address of its own (127.100-199.x.even),
/// so that tests running in parallel never share one. Writes the CA and resolve files a client needs.
/// </summary>
public sealed class SimWebTestServer : IAsyncDisposable
{
    private readonly CertificateAuthority _authority;

    private SimWebTestServer(SimWebServer server, CertificateAuthority authority, string directory, SimWebFiles files)
    {
        Server = server;
        _authority = authority;
        Directory = directory;
        Files = files;
    }

    public SimWebServer Server { get; }

    public SimWorld World => Server.World;

    public string Directory { get; }

    public SimWebFiles Files { get; }

    public static IPAddress RandomAddress() =>
        new([127, (byte)Random.Shared.Next(100, 200), (byte)Random.Shared.Next(0, 256), (byte)(2 * Random.Shared.Next(1, 127))]);

    public static Task<SimWebTestServer> StartAsync(IEnumerable<SiteProfile> sites, double timeScale) =>
        StartAsync(sites, new SimWebOptions { TimeScale = timeScale, Address = RandomAddress() });

    public static async Task<SimWebTestServer> StartAsync(IEnumerable<SiteProfile> sites, SimWebOptions options)
    {
        var world = new SimWorld(sites, options);
        var authority = CertificateAuthority.Create();
        string directory = Path.Combine(Path.GetTempPath(), "quiver-sim-" + Guid.NewGuid().ToString("N"));
        var files = SimWebFiles.Write(world, authority, directory);
        var server = await SimWebServer.StartAsync(world, authority);
        return new SimWebTestServer(server, authority, directory, files);
    }

    /// <summary>A healthy site profile with round numbers, for tests to vary.</summary>
    public static SiteProfile Site(int rank, string host, double rttMs = 20, double thinkMs = 20, int bodyBytes = 20_000, double bandwidth = 1_000_000,
        bool toHttps = false, bool toWww = false, SiteFailure failure = SiteFailure.None) => new()
    {
        Rank = rank,
        Host = host,
        RoundTrip = TimeSpan.FromMilliseconds(rttMs),
        Think = TimeSpan.FromMilliseconds(thinkMs),
        BodyBytes = bodyBytes,
        BandwidthBytesPerSecond = bandwidth,
        RedirectsToHttps = toHttps,
        RedirectsToWww = toWww,
        Failure = failure,
    };

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _authority.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
