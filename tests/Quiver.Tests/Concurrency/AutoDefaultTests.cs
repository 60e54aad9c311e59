using System.Text.Json;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Concurrency;

/// <summary>
/// <c>--concurrency auto</c> through the built CLI against the shared loopback server: the default of
/// <c>fetch</c> and <c>crawl</c>, the record field it adds when asked, and <c>-c N</c> unchanged.
/// </summary>
public sealed class AutoDefaultTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-auto-").FullName;

    private LoopbackServer Server => fixture.Server;

    private string List(int count)
    {
        string path = Path.Combine(_folder, "urls.txt");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => Server.HttpUrl($"/echo/{i}")));
        return path;
    }

    [Fact]
    public async Task Fetch_runs_auto_by_default_and_puts_a_small_list_all_in_flight()
    {
        var outcome = await CliRunner.RunAsync(["fetch", List(100), "--record-concurrency"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Contains(outcome.ErrorLines, line => line.StartsWith("  width:   auto: start 16", StringComparison.Ordinal));
        var widths = outcome.OutputLines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("concurrency").GetInt32()).ToList();
        Assert.Equal(100, widths.Count);
        // The whole list fits under the cap: once read, everything still pending goes in flight at once.
        Assert.InRange(widths.Max(), 100 - 16, 100);
    }

    [Fact]
    public async Task Crawl_runs_auto_by_default()
    {
        var outcome = await CliRunner.RunAsync(["crawl", Server.HttpUrl("/fast"), "-o", Path.Combine(_folder, "crawl.jsonl"), "--delay", "0"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Contains(outcome.ErrorLines, line => line.StartsWith("  width:   auto: start 16", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fixed_width_prints_no_width_line_and_records_carry_no_concurrency_field()
    {
        var outcome = await CliRunner.RunAsync(["fetch", List(5), "-c", "4"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.DoesNotContain(outcome.ErrorLines, line => line.Contains("width:", StringComparison.Ordinal));
        Assert.All(outcome.OutputLines, line => Assert.False(JsonDocument.Parse(line).RootElement.TryGetProperty("concurrency", out _)));
    }

    [Fact]
    public async Task Max_concurrency_with_a_fixed_width_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(["fetch", List(1), "-c", "4", "--max-concurrency", "8"]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--max-concurrency", outcome.StandardError);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
