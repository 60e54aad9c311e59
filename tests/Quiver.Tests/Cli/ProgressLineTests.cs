using System.Text.RegularExpressions;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>The status line <c>quiver fetch</c> prints on stderr while it runs, as a user sees it in a log.</summary>
public sealed partial class ProgressLineTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private const int Concurrency = 2;

    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-progress-").FullName;

    [Fact]
    public async Task The_plain_status_line_counts_urls_started_or_queued_and_does_not_call_them_in_flight()
    {
        // Eight pages held at a gate until the first plain status line (every 5 s) has printed: by then
        // none has finished, two are in flight and more wait in the strategy's queue.
        string gate = $"progress-{Guid.NewGuid():N}";
        string list = Path.Combine(_directory, "gated.txt");
        File.WriteAllLines(list, Enumerable.Range(1, 8).Select(i => fixture.Server.HttpUrl($"/gate/{gate}?n={i}")));

        using var run = CliProcess.Start(["fetch", list, "-c", $"{Concurrency}", "-o", Path.Combine(_directory, "out.jsonl")], _directory);
        await run.WaitUntilAsync(() => StatusLine().IsMatch(run.StandardError), TimeSpan.FromSeconds(60));
        fixture.Server.OpenGate(gate);
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));

        string status = run.StandardError.Split('\n').First(line => StatusLine().IsMatch(line));
        var match = StatusLine().Match(status);
        Assert.Equal("0/8", match.Groups["done"].Value);
        Assert.True(int.Parse(match.Groups["pending"].Value, System.Globalization.CultureInfo.InvariantCulture) > Concurrency, status);
        Assert.DoesNotContain("in flight", run.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^quiver: (?<done>\d+/\d+) done, [\d.,]+/s, (?<pending>\d+) started or queued, \d+ errors, ", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
