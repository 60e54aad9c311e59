using Quiver.Fetching;
using Quiver.Handlers;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Handlers;

public sealed class BodySaverTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-bodies-").FullName;

    public static TheoryData<string> HostileUrls => new()
    {
        "http://a.test/../../../../etc/passwd",
        "http://a.test/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://a.test/..%2f..%2f..%2fetc%2fpasswd",
        "http://a.test//etc/passwd",
        "http://a.test/C:/Windows/system32",
        "http://a.test/%00/x%00y",
        "http://a.test/" + new string('a', 2000),
        "http://a.test/" + string.Concat(Enumerable.Repeat("../", 700)),
        "http://a.test/?q=" + string.Concat(Enumerable.Repeat("/..", 600)),
        "http://a.test/.%2e/.%2E/",
    };

    [Theory]
    [MemberData(nameof(HostileUrls))]
    public void HostileUrl_MapsToAFileDirectlyInsideTheFolder(string url)
    {
        var saver = new BodySaver(_directory);
        string path = saver.PathFor(42, new Uri(url));
        Assert.Equal(Path.GetFullPath(_directory), Path.GetDirectoryName(path));
        string name = Path.GetFileName(path);
        Assert.True(name.Length <= 255, $"file name of {name.Length} characters");
        Assert.DoesNotContain('\0', name);
        Assert.False(name is "." or "..");
        Assert.StartsWith("000042_", name, StringComparison.Ordinal);
    }

    [Fact]
    public void DistinctUrls_GetDistinctFiles()
    {
        var saver = new BodySaver(_directory);
        Assert.NotEqual(saver.PathFor(1, new Uri("http://a.test/x?y=1")), saver.PathFor(1, new Uri("http://a.test/x?y=2")));
    }

    [Fact]
    public async Task SaveBodies_EndToEnd_WritesEveryBodyInsideTheFolder()
    {
        var server = fixture.Server;
        string[] lines =
        [
            server.HttpUrl("/fast"),
            server.HttpUrl("/..%2f..%2f..%2ftmp%2fescaped"),
            server.HttpUrl("/" + new string('z', 2000)),
            server.HttpUrl("/a/%2e%2e/%2e%2e/b"),
        ];
        var options = new FetchOptions { SaveBodiesDirectory = _directory };
        var results = await Infrastructure.StrategyRunner.RunAsync(StrategyKind.Async, options, lines);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.All(results, r =>
        {
            Assert.NotNull(r.BodyFile);
            Assert.Equal(_directory, Path.GetDirectoryName(r.BodyFile));
            Assert.Equal(r.Bytes, new FileInfo(r.BodyFile).Length);
        });
        Assert.Equal(lines.Length, Directory.GetFiles(_directory).Length);
        Assert.Empty(Directory.GetDirectories(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
