using Quiver.Fetching;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// <c>--deny-private</c> as users meet it: on by default in crawl, off in fetch, switched off with
/// <c>--deny-private false</c>, holed by <c>--allow-address</c>, and never in the way of a pinned
/// <c>--resolve</c> address. The target is a canary on 127.0.0.9 that counts connections.
/// </summary>
public sealed class DenyPrivateCliTests : IAsyncLifetime, IDisposable
{
    private readonly CanaryServer _canary = new();
    private readonly CrawlHarness _harness = new();

    [Fact]
    public async Task Crawl_denies_private_addresses_by_default_and_the_target_sees_no_connection()
    {
        var results = await CrawlAsync(_canary.Url("/"));

        var seed = Assert.Single(results);
        Assert.Equal(FetchErrorKind.BlockedAddress, seed.Error);
        Assert.Contains("127.0.0.9 is a loopback address", seed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, _canary.Accepted);
    }

    [Theory]
    [InlineData("--deny-private", "false")]
    [InlineData("--allow-address", "127.0.0.0/24")]
    public async Task Crawl_reaches_a_private_address_when_told_to(string flag, string value)
    {
        var results = await CrawlAsync(_canary.Url("/"), flag, value);

        Assert.Equal(200, results.Single(r => r.Url == _canary.Url("/")).Status);
        Assert.True(_canary.Accepted > 0);
    }

    [Fact]
    public async Task Crawl_trusts_an_address_pinned_with_resolve_as_the_simulated_web_examples_need()
    {
        var results = await CrawlAsync($"http://canary.test:{_canary.Port}/", "--resolve", $"canary.test:{_canary.Port}:{_canary.Address}");

        Assert.Equal(200, results.Single(r => r.Url == $"http://canary.test:{_canary.Port}/").Status);
    }

    [Fact]
    public async Task Fetch_connects_to_private_addresses_unless_asked_to_deny_them()
    {
        string list = Path.Combine(_harness.Folder, "urls.txt");
        File.WriteAllLines(list, [_canary.Url("/")]);

        var open = await CliRunner.RunAsync(["fetch", list, "--quiet"]);
        int afterOpen = _canary.Accepted;
        var denied = await CliRunner.RunAsync(["fetch", list, "--quiet", "--deny-private"]);

        Assert.Equal(0, open.ExitCode);
        Assert.Contains("\"status\":200", Assert.Single(open.OutputLines), StringComparison.Ordinal);
        Assert.Equal(0, denied.ExitCode);
        Assert.Contains("\"error\":\"blocked-address\"", Assert.Single(denied.OutputLines), StringComparison.Ordinal);
        Assert.Equal(afterOpen, _canary.Accepted);
    }

    [Theory]
    [InlineData("--allow-address", "10.0.0.1/8", "--allow-address '10.0.0.1/8' has bits set past its prefix: write 10.0.0.0/8 for the range or 10.0.0.1/32 for the one address")]
    [InlineData("--deny-address", "intranet", "--deny-address 'intranet' is not an address or a CIDR range such as 10.0.0.0/8 or fd00::/8")]
    public async Task A_bad_range_is_a_usage_error_in_one_line(string flag, string value, string message)
    {
        var outcome = await CliRunner.RunAsync(["crawl", _canary.Url("/"), flag, value]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"quiver: {message}", Assert.Single(outcome.ErrorLines));
    }

    private async Task<List<FetchResult>> CrawlAsync(string seed, params string[] flags)
    {
        var outcome = await CliRunner.RunAsync(["crawl", seed, "--delay", "0", "--quiet", "--ignore-robots", "-o", _harness.OutputPath, .. flags]);
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        return CrawlHarness.ReadResults(_harness.OutputPath);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _canary.DisposeAsync();

    public void Dispose() => _harness.Dispose();
}
